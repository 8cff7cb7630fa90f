package dev.rlaif.trainer.round;

import dev.rlaif.common.config.Env;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An out-of-domain probe set ({@code RLAIF_TRAINER_PROBE_DATA}): labeled pairs from another distribution than the
 * preferences the trainer learns from (e.g. PandaLM's helpfulness pairs beside HH-RLHF's harmlessness labels).
 * Every round reports the candidate's accuracy on it beside the gold set's, so a model that learned the wrong
 * thing (say "refuse and be short") shows it; the probe never gates publishing and is never trained on.
 *
 * @param source the file, as configured
 * @param pairs  its labeled pairs (ties skipped)
 */
public record ProbeSet(String source, List<LabeledPair> pairs) {

    public static final ProbeSet NONE = new ProbeSet(null, List.of());

    /** The probe set the environment names, or {@link #NONE}; a named file that cannot be read is a startup error. */
    public static ProbeSet fromEnv(Env env) {
        String file = env.string("RLAIF_TRAINER_PROBE_DATA", "");
        if (file.isBlank()) {
            return NONE;
        }
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("RLAIF_TRAINER_PROBE_DATA names no file: " + file);
        }
        List<LabeledPair> pairs = PairFiles.read(p, null);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("RLAIF_TRAINER_PROBE_DATA has no labeled pairs: " + file);
        }
        return new ProbeSet(file, pairs);
    }

    public boolean isEmpty() {
        return pairs.isEmpty();
    }
}
