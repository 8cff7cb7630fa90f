package dev.rlaif.rm.data;

import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.Datasets;
import dev.rlaif.common.pair.PairIds;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads labeled pairs from any pairwise dataset file the spine understands, and splits them deterministically. */
public final class PairFiles {

    private PairFiles() {
    }

    /** Pairs with a winner (ties and unlabeled examples are skipped); {@code format} null to detect. */
    public static List<LabeledPair> read(Path file, DatasetFormat format) {
        try (Stream<dev.rlaif.common.dataset.PreferenceExample> s = Datasets.readPairs(file, format)) {
            return s.map(LabeledPair::of).flatMap(Optional::stream).toList();
        }
    }

    /** Whether a pair belongs to the held-out share (by a hash of its id, so the split never changes). */
    public static boolean heldOut(String pairId, double share) {
        return PairIds.unitHash(pairId) < share;
    }
}
