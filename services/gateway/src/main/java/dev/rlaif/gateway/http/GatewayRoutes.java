package dev.rlaif.gateway.http;

import dev.rlaif.common.dataset.FeedbackJson;
import dev.rlaif.common.dataset.GenerationJson;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.common.validation.FieldError;
import dev.rlaif.common.validation.ValidationException;
import dev.rlaif.gateway.GatewayConfig;
import dev.rlaif.gateway.ingest.BatchParser;
import dev.rlaif.gateway.ingest.RecordPublisher;
import dev.rlaif.schema.PolicyGeneration;
import dev.rlaif.schema.UserFeedback;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The gateway's HTTP API: validates generations and feedback, publishes them to {@code generations} and
 * {@code feedback}, and answers 202 only after Kafka acknowledged them.
 *
 * <ul>
 * <li>{@code POST /v1/generations}, {@code POST /v1/feedback}: {@code application/json} (one object or an array)
 *     or {@code application/x-ndjson} (one object per line)</li>
 * <li>400 names every bad field of every bad line; 401 without a valid bearer token (when tokens are configured);
 *     413 past the size or batch limit; 415 for another content type; 503 when Kafka does not acknowledge</li>
 * <li>A batch with bad lines accepts nothing by default; with {@code ?partial=true} (or
 *     {@code RLAIF_GATEWAY_PARTIAL_BATCHES=true}) it accepts the good lines and reports the bad ones</li>
 * </ul>
 */
public final class GatewayRoutes {

    private static final Logger log = LoggerFactory.getLogger(GatewayRoutes.class);

    private final GatewayConfig config;
    private final RecordPublisher publisher;
    private final MeterRegistry metrics;
    private final Clock clock;

    public GatewayRoutes(GatewayConfig config, RecordPublisher publisher, MeterRegistry metrics, Clock clock) {
        this.config = config;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Adds the API routes and the bearer-token check to a Javalin configuration. */
    public void routing(JavalinConfig cfg) {
        cfg.http.maxRequestSize = config.maxBodyBytes();
        cfg.routes.beforeMatched("/v1/*", this::authenticate);
        cfg.routes.post("/v1/generations", ctx -> ingest(ctx, Topics.GENERATIONS,
                n -> GenerationJson.parse(n, config.limits(), clock), PolicyGeneration::getPromptId,
                PolicyGeneration::getGenerationId));
        cfg.routes.post("/v1/feedback", ctx -> ingest(ctx, Topics.FEEDBACK,
                n -> FeedbackJson.parse(n, config.limits(), clock), UserFeedback::getPromptId,
                UserFeedback::getFeedbackId));
    }

    private void authenticate(Context ctx) {
        if (config.tokens().isEmpty()) {
            return;
        }
        String header = ctx.header("Authorization");
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (token == null || !config.tokens().contains(token)) {
            ctx.header("WWW-Authenticate", "Bearer");
            ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error", "missing or invalid bearer token"));
            ctx.skipRemainingHandlers();
        }
    }

    private <V extends SpecificRecord> void ingest(Context ctx, Topic<V> topic, Function<com.fasterxml.jackson.databind.JsonNode, V> parse,
                                                   Function<V, String> key, Function<V, String> id) {
        String contentType = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
        boolean ndjson = contentType.startsWith("application/x-ndjson") || contentType.startsWith("application/jsonl")
                || contentType.startsWith("application/ndjson");
        if (!ndjson && !contentType.startsWith("application/json")) {
            reject(ctx, topic, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json or application/x-ndjson, was '"
                    + (contentType.isEmpty() ? "none" : contentType) + "'");
            return;
        }
        long length = ctx.contentLength();
        if (length > config.maxBodyBytes()) {
            reject(ctx, topic, HttpStatus.CONTENT_TOO_LARGE, "body of " + length + " bytes is larger than the limit of " + config.maxBodyBytes());
            return;
        }
        BatchParser.Batch<V> batch;
        try {
            batch = BatchParser.parse(ctx.body(), ndjson, config.maxBatchLines(), parse);
        } catch (BatchParser.TooManyRecordsException e) {
            reject(ctx, topic, HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
            return;
        } catch (ValidationException e) {
            count(topic, "rejected", 1);
            ctx.status(HttpStatus.BAD_REQUEST).json(errorBody("invalid request body", 0,
                    List.of(new BatchParser.LineError(1, e.errors()))));
            return;
        }
        boolean partial = ctx.queryParam("partial") != null ? Boolean.parseBoolean(ctx.queryParam("partial")) : config.partialBatches();
        if (batch.total() == 0) {
            reject(ctx, topic, HttpStatus.BAD_REQUEST, "the body holds no record");
            return;
        }
        if (!batch.errors().isEmpty() && (!partial || batch.records().isEmpty())) {
            count(topic, "rejected", batch.total());
            ctx.status(HttpStatus.BAD_REQUEST).json(errorBody(
                    partial ? "no valid record in the batch" : "invalid records; nothing was accepted (send ?partial=true to accept the valid ones)",
                    0, batch.errors()));
            return;
        }
        Timer.Sample sample = Timer.start(metrics);
        try {
            publisher.publish(topic, batch.records(), key);
        } catch (RecordPublisher.PublishException e) {
            log.warn("publishing {} records to {} failed: {}", batch.records().size(), topic, e.getMessage());
            count(topic, "failed", batch.records().size());
            ctx.header("Retry-After", "1");
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", e.getMessage()));
            return;
        } finally {
            sample.stop(metrics.timer("rlaif_gateway_publish", "topic", topic.name()));
        }
        count(topic, "accepted", batch.records().size());
        count(topic, "rejected", batch.errors().size());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", batch.records().size());
        body.put("rejected", batch.errors().size());
        body.put("ids", batch.records().stream().map(id).toList());
        if (!batch.errors().isEmpty()) {
            body.put("errors", flatten(batch.errors()));
        }
        ctx.status(HttpStatus.ACCEPTED).json(body);
    }

    private void reject(Context ctx, Topic<?> topic, HttpStatus status, String message) {
        count(topic, "rejected", 1);
        ctx.status(status).json(Map.of("error", message));
    }

    private void count(Topic<?> topic, String outcome, int n) {
        if (n > 0) {
            metrics.counter("rlaif_gateway_records", "topic", topic.name(), "outcome", outcome).increment(n);
        }
    }

    private static Map<String, Object> errorBody(String message, int accepted, List<BatchParser.LineError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("accepted", accepted);
        body.put("errors", flatten(errors));
        return body;
    }

    private static List<Map<String, Object>> flatten(List<BatchParser.LineError> errors) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BatchParser.LineError le : errors) {
            for (FieldError fe : le.errors()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("line", le.line());
                m.put("field", fe.field());
                m.put("message", fe.message());
                out.add(m);
            }
        }
        return out;
    }
}
