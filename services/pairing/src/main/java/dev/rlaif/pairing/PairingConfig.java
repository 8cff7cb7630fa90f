package dev.rlaif.pairing;

import dev.rlaif.common.config.Env;

import java.time.Duration;
import java.util.Map;

/**
 * Configuration of the pairing service.
 *
 * @param applicationId    Kafka Streams application id (consumer group, state and internal topic prefix)
 * @param pairsPerResponse K: each new response is paired with up to K of the most recent earlier distinct responses
 * @param promptTtl        a prompt's state is dropped this long after its last generation
 * @param maxSeenIds       generation ids remembered per prompt for de-duplication
 */
public record PairingConfig(String applicationId, int pairsPerResponse, Duration promptTtl, int maxSeenIds) {

    public PairingConfig {
        if (pairsPerResponse < 1) {
            throw new IllegalArgumentException("RLAIF_PAIRING_K must be at least 1, was " + pairsPerResponse);
        }
        if (promptTtl.isNegative() || promptTtl.isZero()) {
            throw new IllegalArgumentException("RLAIF_PAIRING_PROMPT_TTL must be positive, was " + promptTtl);
        }
        if (maxSeenIds < pairsPerResponse) {
            throw new IllegalArgumentException("RLAIF_PAIRING_MAX_SEEN_IDS must be at least K");
        }
    }

    public static PairingConfig fromEnv(Env env) {
        return new PairingConfig(
                env.string("RLAIF_PAIRING_APP_ID", "rlaif-pairing"),
                env.integer("RLAIF_PAIRING_K", 4),
                env.duration("RLAIF_PAIRING_PROMPT_TTL", Duration.ofHours(24)),
                env.integer("RLAIF_PAIRING_MAX_SEEN_IDS", 1000));
    }

    public Map<String, Object> describe() {
        return Map.of("applicationId", applicationId, "K", pairsPerResponse, "promptTtl", promptTtl, "maxSeenIds", maxSeenIds);
    }
}
