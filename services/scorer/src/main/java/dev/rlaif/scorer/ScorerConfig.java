package dev.rlaif.scorer;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scorer settings, from {@code RLAIF_SCORER_*} variables (and {@code RLAIF_MODELS_DIR}).
 *
 * @param host      listen address
 * @param port      HTTP port (0 = any free port)
 * @param modelsDir the models directory the trainer publishes into
 * @param encoder   {@code minilm}, or {@code hashing-N} for tests; must match the published models
 * @param maxBatch  most items in one request
 */
public record ScorerConfig(String host, int port, Path modelsDir, String encoder, int maxBatch) {

    public ScorerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("RLAIF_SCORER_PORT must be in 0..65535, was " + port);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("RLAIF_SCORER_MAX_BATCH must be at least 1");
        }
        if (!dev.rlaif.rm.encode.TextEncoders.isName(encoder)) {
            throw new IllegalArgumentException("RLAIF_SCORER_ENCODER must be minilm, minilm-fp32, bge-small, e5-small, several joined by +, or hashing-N");
        }
    }

    public static ScorerConfig fromEnv(Env env, KafkaSettings kafka) {
        return new ScorerConfig(env.string("RLAIF_SCORER_HOST", "0.0.0.0"), env.integer("RLAIF_SCORER_PORT", 8086),
                env.path("RLAIF_MODELS_DIR", kafka.stateDir().resolve("models")),
                env.string("RLAIF_SCORER_ENCODER", "minilm"), env.integer("RLAIF_SCORER_MAX_BATCH", 1024));
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("port", port);
        m.put("modelsDir", modelsDir);
        m.put("encoder", encoder);
        m.put("maxBatch", maxBatch);
        return m;
    }
}
