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
import dev.rlaif.gateway.ingest.SizeGuard;
import dev.rlaif.common.http.BearerTokens;
import dev.rlaif.common.http.BodyType;
import dev.rlaif.common.http.UnreadBody;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The gateway's HTTP API: validates generations and feedback, publishes them to {@code generations} and
 * {@code feedback}, and answers 202 only after Kafka acknowledged them.
 *
 * <ul>
 * <li>{@code POST /v1/generations}, {@code POST /v1/feedback}: {@code application/json} (one object or an array)
 *     or {@code application/x-ndjson} (one object per line)</li>
 * <li>400 names every bad field of every bad line (invalid UTF-8, unpaired surrogates, trailing content, dates
 *     outside 1970..2200 included); 401 without a valid bearer token (when tokens are configured); 413 past the body
 *     or batch limit, or for a record (or its pair) too large for Kafka, naming line and field; 415 for another
 *     content type; 503 only when Kafka or the registry is unavailable, and then nothing of the batch was written</li>
 * <li>A batch with bad lines accepts nothing by default; with {@code ?partial=true} (or
 *     {@code RLAIF_GATEWAY_PARTIAL_BATCHES=true}) it accepts the good lines and reports the bad ones</li>
 * </ul>
 */
public final class GatewayRoutes {

    private static final Logger log = LoggerFactory.getLogger(GatewayRoutes.class);

    private final GatewayConfig config;
    private final RecordPublisher publisher;
    private final SizeGuard guard;
    private final BearerTokens tokens;
    private final MeterRegistry metrics;
    private final Clock clock;

    public GatewayRoutes(GatewayConfig config, RecordPublisher publisher, SizeGuard guard, MeterRegistry metrics, Clock clock) {
        this.config = config;
        this.publisher = publisher;
        this.guard = guard;
        this.tokens = new BearerTokens(config.tokens());
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Adds the API routes and the bearer-token check to a Javalin configuration. */
    public void routing(JavalinConfig cfg) {
        cfg.http.maxRequestSize = config.maxBodyBytes();
        cfg.routes.beforeMatched("/v1/*", tokens::check);
        cfg.routes.post("/v1/generations", ctx -> ingest(ctx, Topics.GENERATIONS,
                n -> GenerationJson.parse(n, config.limits(), clock), PolicyGeneration::getPromptId,
                PolicyGeneration::getGenerationId, SizeGuard::largestField, guard::checkPair));
        cfg.routes.post("/v1/feedback", ctx -> ingest(ctx, Topics.FEEDBACK,
                n -> FeedbackJson.parse(n, config.limits(), clock), UserFeedback::getPromptId,
                UserFeedback::getFeedbackId, f -> "$", f -> Optional.empty()));
    }

    /**
     * Parses, validates and serializes the whole batch, and checks every record's size, before anything is sent;
     * then publishes the accepted records in one transaction. A 4xx writes nothing; a 5xx (Kafka or the registry
     * down) writes nothing either.
     */
    private <V extends SpecificRecord> void ingest(Context ctx, Topic<V> topic, Function<JsonNode, V> parse,
                                                   Function<V, String> key, Function<V, String> id,
                                                   Function<V, String> largestField,
                                                   Function<V, Optional<FieldError>> extraSizeCheck) {
        Optional<BodyType> type = BodyType.of(ctx.contentType());
        if (type.isEmpty()) {
            UnreadBody.discard(ctx);
            reject(ctx, topic, HttpStatus.UNSUPPORTED_MEDIA_TYPE, BodyType.unsupportedMessage(ctx.contentType(), BodyType.JSON, BodyType.NDJSON));
            return;
        }
        long length = ctx.contentLength();
        if (length > config.maxBodyBytes()) {
            UnreadBody.discard(ctx);
            reject(ctx, topic, HttpStatus.CONTENT_TOO_LARGE, "body of " + length + " bytes is larger than the limit of " + config.maxBodyBytes());
            return;
        }
        String partialParam = ctx.queryParam("partial");
        if (partialParam != null && !partialParam.equalsIgnoreCase("true") && !partialParam.equalsIgnoreCase("false")) {
            UnreadBody.discard(ctx);
            count(topic, "rejected", 1);
            ctx.status(HttpStatus.BAD_REQUEST).json(errorBody("invalid query parameter", 0,
                    List.of(new BatchParser.LineError(0, List.of(new FieldError("partial", "must be true or false, was '"
                            + abbreviate(partialParam) + "'"))))));
            return;
        }
        boolean partial = partialParam != null ? Boolean.parseBoolean(partialParam) : config.partialBatches();
        BatchParser.Batch<V> batch;
        try {
            batch = BatchParser.parse(ctx.bodyAsBytes(), type.get() == BodyType.NDJSON, config.maxBatchLines(), parse);
        } catch (BatchParser.TooManyRecordsException e) {
            reject(ctx, topic, HttpStatus.CONTENT_TOO_LARGE, e.getMessage());
            return;
        } catch (BatchParser.MalformedBodyException e) {
            count(topic, "rejected", 1);
            ctx.status(HttpStatus.BAD_REQUEST).json(errorBody("invalid request body", 0, List.of(e.error())));
            return;
        } catch (ValidationException e) {
            count(topic, "rejected", 1);
            ctx.status(HttpStatus.BAD_REQUEST).json(errorBody("invalid request body", 0,
                    List.of(new BatchParser.LineError(1, e.errors()))));
            return;
        }
        if (batch.total() == 0) {
            reject(ctx, topic, HttpStatus.BAD_REQUEST, "the body holds no record");
            return;
        }
        // Serialize every valid record and check its size (and, for a generation, its pair's) before any send.
        List<BatchParser.LineError> errors = new ArrayList<>(batch.errors());
        List<RecordPublisher.Prepared> prepared = new ArrayList<>();
        List<V> accepted = new ArrayList<>();
        int tooLarge = 0;
        try {
            for (int i = 0; i < batch.records().size(); i++) {
                V r = batch.records().get(i);
                RecordPublisher.Prepared p = publisher.serialize(topic, List.of(r), key).get(0);
                Optional<FieldError> size = guard.checkRecord(p.size() + SizeGuard.HEADER_SLACK, largestField.apply(r))
                        .or(() -> extraSizeCheck.apply(r));
                if (size.isPresent()) {
                    errors.add(new BatchParser.LineError(batch.lines().get(i), List.of(size.get())));
                    tooLarge++;
                } else {
                    prepared.add(p);
                    accepted.add(r);
                }
            }
        } catch (RecordPublisher.PublishException e) {
            unavailable(ctx, topic, batch.records().size(), e);
            return;
        }
        errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
        if (!errors.isEmpty() && (!partial || prepared.isEmpty())) {
            count(topic, "rejected", batch.total());
            HttpStatus status = tooLarge == errors.size() ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
            ctx.status(status).json(errorBody(
                    partial ? "no valid record in the batch" : "invalid records; nothing was accepted (send ?partial=true to accept the valid ones)",
                    0, errors));
            return;
        }
        Timer.Sample sample = Timer.start(metrics);
        try {
            publisher.publish(prepared);
        } catch (RecordPublisher.PublishException e) {
            unavailable(ctx, topic, prepared.size(), e);
            return;
        } finally {
            sample.stop(metrics.timer("rlaif_gateway_publish", "topic", topic.name()));
        }
        count(topic, "accepted", prepared.size());
        count(topic, "rejected", errors.size());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", prepared.size());
        body.put("rejected", errors.size());
        body.put("ids", accepted.stream().map(id).toList());
        if (!errors.isEmpty()) {
            body.put("errors", flatten(errors));
        }
        ctx.status(HttpStatus.ACCEPTED).json(body);
    }

    private void unavailable(Context ctx, Topic<?> topic, int records, RecordPublisher.PublishException e) {
        log.warn("publishing {} records to {} failed, nothing written: {}", records, topic, e.getMessage());
        count(topic, "failed", records);
        ctx.header("Retry-After", "1");
        ctx.status(HttpStatus.SERVICE_UNAVAILABLE).json(Map.of("error", e.getMessage() == null ? "unavailable" : e.getMessage(),
                "accepted", 0));
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
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
