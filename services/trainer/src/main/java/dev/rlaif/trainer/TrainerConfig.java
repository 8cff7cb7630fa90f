package dev.rlaif.trainer;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.rm.train.LossSwitches;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trainer settings, from {@code RLAIF_TRAINER_*} variables (and {@code RLAIF_MODELS_DIR}).
 *
 * @param modelsDir        where versions are written ({@code RLAIF_MODELS_DIR}, default {@code <stateDir>/models})
 * @param groupId          consumer group on {@code preferences}
 * @param encoder          {@code minilm} (all-MiniLM-L6-v2) or {@code hashing-N} (a cheap encoder for tests)
 * @param minLabels        trainable labels needed before a round starts on count alone
 * @param maxWait          a pending label waits at most this long for a round (then a round starts with >= 2 pairs)
 * @param minInterval      least time between two rounds
 * @param holdoutShare     share of human-labeled pairs (by hash of pair id) held out as the gold set
 * @param minGold          gold pairs needed before evaluation gates publishing
 * @param tolerance        a candidate is published unless its gold accuracy is below the current one's minus this
 * @param replayMax        most recent trainable labels kept in the replay buffer
 * @param heads            ensemble heads
 * @param hidden           hidden units per head
 * @param epochs           most epochs per round
 * @param maxStepsPerHead  optimiser steps per head and round: epochs = clamp(maxSteps / steps per epoch, 1, epochs)
 * @param switches         loss switches
 * @param fusion           late fusion over a concatenated encoder ({@code RLAIF_TRAINER_FUSION}; heads a multiple of its parts)
 * @param promptContext    the prompt text of the prompt x response block ({@code RLAIF_TRAINER_PROMPT_CONTEXT})
 * @param bowBuckets       buckets of the bag-of-words head, 0 = none ({@code RLAIF_TRAINER_BOW_BUCKETS})
 */
public record TrainerConfig(Path modelsDir, String groupId, String encoder, int minLabels, Duration maxWait,
                            Duration minInterval, double holdoutShare, int minGold, double tolerance, int replayMax,
                            int heads, int hidden, int epochs, int maxStepsPerHead, LossSwitches switches,
                            boolean fusion, String promptContext, int bowBuckets) {

    public TrainerConfig {
        require(minLabels >= 2, "RLAIF_TRAINER_MIN_LABELS must be at least 2");
        require(holdoutShare >= 0 && holdoutShare < 1, "RLAIF_TRAINER_HOLDOUT_SHARE must be in [0, 1)");
        require(minGold >= 1, "RLAIF_TRAINER_MIN_GOLD must be at least 1");
        require(tolerance >= 0 && tolerance < 1, "RLAIF_TRAINER_TOLERANCE must be in [0, 1)");
        require(replayMax >= minLabels, "RLAIF_TRAINER_REPLAY_MAX must be at least RLAIF_TRAINER_MIN_LABELS");
        require(heads >= 1 && hidden >= 1 && epochs >= 1 && maxStepsPerHead >= 1,
                "RLAIF_TRAINER_HEADS, _HIDDEN, _EPOCHS and _MAX_STEPS must be at least 1");
        require(dev.rlaif.rm.encode.TextEncoders.isName(encoder),
                "RLAIF_TRAINER_ENCODER must be minilm, minilm-fp32, bge-small, e5-small, several joined by +, or hashing-N");
        int parts = encoder.split("\\+").length;
        require(!fusion || parts >= 2 && heads % parts == 0,
                "RLAIF_TRAINER_FUSION needs RLAIF_TRAINER_ENCODER to join two or more encoders (e.g. e5-small+bge-small) and "
                        + "RLAIF_TRAINER_HEADS to be a multiple of their number");
        require(FeatureSpec.LAST_TURN.equals(promptContext) || FeatureSpec.USER_TURNS.equals(promptContext)
                        || FeatureSpec.DIALOGUE.equals(promptContext),
                "RLAIF_TRAINER_PROMPT_CONTEXT must be last-turn, user-turns or dialogue");
        require(bowBuckets >= 0, "RLAIF_TRAINER_BOW_BUCKETS must be at least 0");
    }

    /** The features of the versions this trainer writes, for its encoder. */
    public FeatureSpec spec(dev.rlaif.rm.encode.TextEncoder enc) {
        FeatureSpec d = dev.rlaif.rm.feature.FeatureExtractor.defaultSpec(enc);
        return new FeatureSpec(d.encoderId(), d.embeddingDim(), d.lexicalBuckets(), d.critique(), d.joint(), bowBuckets, d.relation(),
                promptContext);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static TrainerConfig fromEnv(Env env, KafkaSettings kafka) {
        return new TrainerConfig(
                env.path("RLAIF_MODELS_DIR", kafka.stateDir().resolve("models")),
                env.string("RLAIF_TRAINER_GROUP", "rlaif-trainer"),
                env.string("RLAIF_TRAINER_ENCODER", "minilm"),
                env.integer("RLAIF_TRAINER_MIN_LABELS", 32),
                env.duration("RLAIF_TRAINER_MAX_WAIT", Duration.ofSeconds(5)),
                env.duration("RLAIF_TRAINER_MIN_INTERVAL", Duration.ofSeconds(2)),
                env.decimal("RLAIF_TRAINER_HOLDOUT_SHARE", 0.2),
                env.integer("RLAIF_TRAINER_MIN_GOLD", 30),
                env.decimal("RLAIF_TRAINER_TOLERANCE", 0.02),
                env.integer("RLAIF_TRAINER_REPLAY_MAX", 50_000),
                env.integer("RLAIF_TRAINER_HEADS", 5),
                env.integer("RLAIF_TRAINER_HIDDEN", 32),
                env.integer("RLAIF_TRAINER_EPOCHS", 30),
                env.integer("RLAIF_TRAINER_MAX_STEPS", 100),
                new LossSwitches(env.decimal("RLAIF_TRAINER_MARGIN", 0), env.decimal("RLAIF_TRAINER_SMOOTHING", 0),
                        0.3, env.decimal("RLAIF_TRAINER_FLIP", 0), env.bool("RLAIF_TRAINER_SOURCE_WEIGHTING", true)),
                env.bool("RLAIF_TRAINER_FUSION", false),
                env.string("RLAIF_TRAINER_PROMPT_CONTEXT", FeatureSpec.LAST_TURN),
                env.integer("RLAIF_TRAINER_BOW_BUCKETS", FeatureSpec.DEFAULT_BOW_BUCKETS));
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelsDir", modelsDir);
        m.put("group", groupId);
        m.put("encoder", encoder);
        m.put("minLabels", minLabels);
        m.put("maxWait", maxWait);
        m.put("minInterval", minInterval);
        m.put("holdoutShare", holdoutShare);
        m.put("minGold", minGold);
        m.put("tolerance", tolerance);
        m.put("replayMax", replayMax);
        m.put("heads", heads);
        m.put("hidden", hidden);
        m.put("epochs", epochs);
        m.put("maxStepsPerHead", maxStepsPerHead);
        m.put("loss", switches.describe());
        m.put("fusion", fusion);
        m.put("promptContext", promptContext);
        m.put("bowBuckets", bowBuckets);
        return m;
    }
}
