package dev.rlaif.gateway;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.dataset.GenerationJson;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Configuration of the ingestion gateway.
 *
 * @param host           interface to bind
 * @param port           HTTP port (0 for any free port)
 * @param maxBodyBytes   largest request body accepted; larger gets 413
 * @param maxBatchLines  most records in one NDJSON batch; more gets 413
 * @param partialBatches default batch policy: true accepts the valid lines of a batch with bad ones (207-style
 *                       report with 202), false (default) accepts nothing when any line is bad (400); a request may
 *                       override it with {@code ?partial=true|false}
 * @param tokens         bearer tokens allowed to post; empty means no authentication
 * @param limits         per-record size limits
 * @param maxRecordBytes largest Kafka record (key + serialized value) the gateway sends, and the largest pair a
 *                       generation may make with an equally large partner; 0 = derive it at start from the topics'
 *                       {@code max.message.bytes} and the producer's {@code max.request.size}, less 16 KiB
 */
public record GatewayConfig(String host, int port, long maxBodyBytes, int maxBatchLines, boolean partialBatches,
                            Set<String> tokens, GenerationJson.Limits limits, int maxRecordBytes) {

    public GatewayConfig(String host, int port, long maxBodyBytes, int maxBatchLines, boolean partialBatches,
                         Set<String> tokens, GenerationJson.Limits limits) {
        this(host, port, maxBodyBytes, maxBatchLines, partialBatches, tokens, limits, 0);
    }

    public GatewayConfig {
        if (maxRecordBytes != 0 && maxRecordBytes < 1024) {
            throw new IllegalArgumentException("RLAIF_GATEWAY_MAX_RECORD_BYTES must be 0 (derive) or at least 1024, was "
                    + maxRecordBytes);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("RLAIF_GATEWAY_PORT must be 0-65535, was " + port);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("RLAIF_GATEWAY_MAX_BODY_BYTES must be at least 1024, was " + maxBodyBytes);
        }
        if (maxBatchLines < 1) {
            throw new IllegalArgumentException("RLAIF_GATEWAY_MAX_BATCH must be at least 1, was " + maxBatchLines);
        }
        tokens = Set.copyOf(tokens);
    }

    public static GatewayConfig fromEnv(Env env) {
        Set<String> tokens = Arrays.stream(env.string("RLAIF_GATEWAY_TOKENS", "").split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).collect(Collectors.toSet());
        GenerationJson.Limits d = GenerationJson.Limits.DEFAULT;
        return new GatewayConfig(
                env.string("RLAIF_GATEWAY_HOST", "0.0.0.0"),
                env.integer("RLAIF_GATEWAY_PORT", 8080),
                env.longValue("RLAIF_GATEWAY_MAX_BODY_BYTES", 16L * 1024 * 1024),
                env.integer("RLAIF_GATEWAY_MAX_BATCH", 10_000),
                env.bool("RLAIF_GATEWAY_PARTIAL_BATCHES", false),
                tokens,
                new GenerationJson.Limits(d.maxIdLength(), env.integer("RLAIF_GATEWAY_MAX_TEXT_CHARS", d.maxTextLength()),
                        d.maxTurns(), d.maxTags()),
                env.integer("RLAIF_GATEWAY_MAX_RECORD_BYTES", 0));
    }

    /** For the start-up log; tokens are counted, never shown. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("port", port);
        m.put("maxBodyBytes", maxBodyBytes);
        m.put("maxBatchLines", maxBatchLines);
        m.put("partialBatches", partialBatches);
        m.put("maxRecordBytes", maxRecordBytes == 0 ? "from topics" : maxRecordBytes);
        m.put("auth", tokens.isEmpty() ? "off" : tokens.size() + " token(s)");
        return m;
    }
}
