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

    /** The split of offline commands, as recorded in a model's manifest ({@code training.holdout_split}). */
    public static final String SPLIT_BY_PROMPT = "prompt";

    /**
     * Whether a pair belongs to the held-out share, by a hash of its <em>prompt</em>: pairs that share a prompt
     * often share a response too (PandaLM: 999 pairs over 170 prompts, 558 responses in several pairs), and a split
     * by pair would put a response on both sides, so held-out accuracy would measure memory. The split never
     * changes for a given file.
     */
    public static boolean heldOut(LabeledPair pair, double share) {
        return PairIds.unitHash("holdout:" + promptKey(pair)) < share;
    }

    /** The cross-validation fold of a pair in [0, folds), grouped by prompt like {@link #heldOut(LabeledPair, double)}. */
    public static int fold(LabeledPair pair, int folds) {
        return (int) Math.min(folds - 1, Math.floor(PairIds.unitHash("fold:" + promptKey(pair)) * folds));
    }

    /**
     * A second, independent fold assignment grouped by prompt (the hash is salted), for folds inside a training
     * part: nested cross-validation's inner folds.
     */
    public static int innerFold(LabeledPair pair, int folds) {
        return (int) Math.min(folds - 1, Math.floor(PairIds.unitHash("inner-fold:" + promptKey(pair)) * folds));
    }

    /** {@link #innerFold(LabeledPair, int)} for a partition by pair id. */
    public static int innerFoldByPairId(String pairId, int folds) {
        return (int) Math.min(folds - 1, Math.floor(PairIds.unitHash("inner-fold:" + pairId) * folds));
    }

    /** The split of model versions written before prompt grouping (no {@code holdout_split} in the manifest). */
    public static boolean heldOutByPairId(String pairId, double share) {
        return PairIds.unitHash(pairId) < share;
    }

    static String promptKey(LabeledPair pair) {
        StringBuilder sb = new StringBuilder();
        for (var m : pair.prompt()) {
            sb.append(m.getRole()).append('\u0000').append(m.getContent()).append('\u0001');
        }
        return sb.toString();
    }
}
