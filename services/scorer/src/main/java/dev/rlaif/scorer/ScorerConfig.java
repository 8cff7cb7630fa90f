package dev.rlaif.scorer;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Scorer settings, from {@code RLAIF_SCORER_*} variables (and {@code RLAIF_MODELS_DIR}).
 *
 * @param host      listen address
 * @param port      HTTP port (0 = any free port)
 * @param modelsDir the models directory the trainer publishes into
 * @param encoder   {@code minilm}, or {@code hashing-N} for tests; must match the published models
 * @param maxBatch  most items in one request
 * @param tokens    bearer tokens allowed to call {@code /v1/*} ({@code RLAIF_SCORER_TOKENS}, comma-separated); empty
 *                  means no authentication
 * @param maxUnseenTexts most texts one request may make the encoder embed for the first time
 *                  ({@code RLAIF_SCORER_MAX_UNSEEN_TEXTS}, default 512: about 0.6 s of MiniLM on 2 cores); 413 past it
 */
public record ScorerConfig(String host, int port, Path modelsDir, String encoder, int maxBatch, Set<String> tokens,
                           int maxUnseenTexts) {

    public ScorerConfig(String host, int port, Path modelsDir, String encoder, int maxBatch) {
        this(host, port, modelsDir, encoder, maxBatch, Set.of(), DEFAULT_MAX_UNSEEN_TEXTS);
    }

    public static final int DEFAULT_MAX_UNSEEN_TEXTS = 512;

    public ScorerConfig {
        tokens = Set.copyOf(tokens);
        if (maxUnseenTexts < 1) {
            throw new IllegalArgumentException("RLAIF_SCORER_MAX_UNSEEN_TEXTS must be at least 1, was " + maxUnseenTexts);
        }
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
                env.string("RLAIF_SCORER_ENCODER", "minilm"), env.integer("RLAIF_SCORER_MAX_BATCH", 1024),
                Arrays.stream(env.string("RLAIF_SCORER_TOKENS", "").split(",")).map(String::trim)
                        .filter(t -> !t.isEmpty()).collect(Collectors.toSet()),
                env.integer("RLAIF_SCORER_MAX_UNSEEN_TEXTS", DEFAULT_MAX_UNSEEN_TEXTS));
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("port", port);
        m.put("modelsDir", modelsDir);
        m.put("encoder", encoder);
        m.put("maxBatch", maxBatch);
        m.put("maxUnseenTexts", maxUnseenTexts);
        m.put("auth", tokens.isEmpty() ? "off" : tokens.size() + " token(s)");
        return m;
    }
}
