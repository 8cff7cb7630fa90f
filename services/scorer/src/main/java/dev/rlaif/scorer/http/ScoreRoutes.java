package dev.rlaif.scorer.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.http.BearerTokens;
import dev.rlaif.common.http.BodyType;
import dev.rlaif.common.http.UnreadBody;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.EnsembleMath;
import java.util.function.Supplier;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.rm.encode.TextEncoder;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scorer's API. Each request takes the published model once (the served model) and answers with
 * it entirely, naming its version: a version published mid-request never mixes into an answer, and the old model
 * stays usable until the request ends.
 * <ul>
 *   <li>{@code POST /v1/score}: {@code {prompt, response, critique?}} or {@code {"items": [...]}} ->
 *       reward (mean over heads), spread (standard deviation over heads), per-head rewards.</li>
 *   <li>{@code POST /v1/compare}: {@code {prompt, response_a, response_b, critique_a?, critique_b?}} or items ->
 *       {@code p_a} (mean over heads of sigmoid(r_A - r_B)), margin, spread of margins, confidence.</li>
 * </ul>
 * 400 names the offending field; 415 unless the body is {@code application/json}; 401 without a configured bearer token ({@code RLAIF_SCORER_TOKENS}); 413 past the
 * per-request cap of texts not embedded before ({@code RLAIF_SCORER_MAX_UNSEEN_TEXTS}); 503 before any model is
 * published.
 */
public final class ScoreRoutes {

    private final Supplier<Optional<RewardModel>> models;
    private final Supplier<TextEncoder> encoder;
    private final int maxBatch;
    private final int maxUnseenTexts;
    private final BearerTokens tokens;
    private final Counter scored;
    private final Counter rejected;
    private final Timer latency;

    /** @param models the served model (the scorer's {@code ModelReloader}); empty before the first is published */
    public ScoreRoutes(Supplier<Optional<RewardModel>> models, int maxBatch, MeterRegistry metrics) {
        this(models, null, maxBatch, Integer.MAX_VALUE, new BearerTokens(List.of()), metrics);
    }

    /**
     * @param models         the served model (the scorer's {@code ModelReloader}); empty before the first is published
     * @param encoder        the encoder whose cache tells seen texts from unseen ones ({@code null}: no cap)
     * @param maxUnseenTexts most texts one request may make the encoder embed for the first time (413 past it)
     * @param tokens         bearer tokens allowed to call {@code /v1/*}; none configured = no authentication
     */
    public ScoreRoutes(Supplier<Optional<RewardModel>> models, Supplier<TextEncoder> encoder, int maxBatch,
                       int maxUnseenTexts, BearerTokens tokens, MeterRegistry metrics) {
        this.models = models;
        this.encoder = encoder;
        this.maxBatch = maxBatch;
        this.maxUnseenTexts = maxUnseenTexts;
        this.tokens = tokens;
        this.scored = metrics.counter("rlaif_scorer_items_total");
        this.rejected = metrics.counter("rlaif_scorer_bad_requests_total");
        this.latency = metrics.timer("rlaif_scorer_request_seconds");
    }

    public void routing(JavalinConfig cfg) {
        cfg.routes.beforeMatched("/v1/*", tokens::check);
        cfg.routes.post("/v1/score", ctx -> latency.record(() -> handle(ctx, false)));
        cfg.routes.post("/v1/compare", ctx -> latency.record(() -> handle(ctx, true)));
    }

    private void handle(Context ctx, boolean compare) {
        if (BodyType.of(ctx.contentType()).orElse(null) != BodyType.JSON) {
            UnreadBody.discard(ctx);
            rejected.increment();
            ctx.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).json(Map.of("error", BodyType.unsupportedMessage(ctx.contentType(), BodyType.JSON),
                    "field", "Content-Type"));
            return;
        }
        try {
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(ctx.body());
            } catch (Exception e) {
                throw new BadRequest("body is not valid JSON");
            }
            List<JsonNode> items = Requests.items(body, maxBatch);
            boolean batch = body.has("items");
            List<ScoringInput> inputs = compare ? compareInputs(items, batch) : scoreInputs(items, batch);
            Optional<RewardModel> current = models.get();
            if (current.isEmpty()) {
                ctx.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5")
                        .json(Map.of("error", "no reward model has been published yet"));
                return;
            }
            RewardModel model = current.get();
            int unseen = encoder == null ? 0 : UnseenTexts.count(model, encoder.get(), inputs);
            if (unseen > maxUnseenTexts) {
                rejected.increment();
                Map<String, Object> err = new LinkedHashMap<>();
                err.put("error", "the request holds " + unseen + " texts not embedded before; at most " + maxUnseenTexts
                        + " per request (RLAIF_SCORER_MAX_UNSEEN_TEXTS): split it");
                err.put("field", batch ? "items" : "$");
                err.put("unseen_texts", unseen);
                err.put("max_unseen_texts", maxUnseenTexts);
                ctx.status(HttpStatus.CONTENT_TOO_LARGE).json(err);
                return;
            }
            float[][] r = model.score(inputs);
            List<Map<String, Object>> results = compare ? compare(r, items.size()) : score(r);
            scored.increment(items.size());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model_version", model.version());
            if (batch) {
                out.put("results", results);
            } else {
                out.putAll(results.get(0));
            }
            ctx.json(out);
        } catch (BadRequest e) {
            rejected.increment();
            ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", e.getMessage()));
        }
    }

    private static List<ScoringInput> scoreInputs(List<JsonNode> items, boolean batch) {
        List<ScoringInput> inputs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            inputs.add(Requests.scoring(items.get(i), field(batch, i)));
        }
        return inputs;
    }

    private static List<ScoringInput> compareInputs(List<JsonNode> items, boolean batch) {
        List<ScoringInput> inputs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode it = items.get(i);
            String f = field(batch, i);
            if (!it.isObject()) {
                throw new BadRequest((batch ? "items[" + i + "]" : "body") + " must be a JSON object");
            }
            var prompt = Requests.prompt(it, f);
            inputs.add(new ScoringInput(prompt, Requests.text(it, "response_a", f), Requests.critique(it, "critique_a", f)));
            inputs.add(new ScoringInput(prompt, Requests.text(it, "response_b", f), Requests.critique(it, "critique_b", f)));
        }
        return inputs;
    }

    private static String field(boolean batch, int i) {
        return batch ? "items[" + i + "]." : "";
    }

    private static List<Map<String, Object>> score(float[][] r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (float[] heads : r) {
            double mean = 0;
            for (float x : heads) {
                mean += x;
            }
            mean /= heads.length;
            double ss = 0;
            for (float x : heads) {
                ss += (x - mean) * (x - mean);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("reward", mean);
            m.put("spread", Math.sqrt(ss / heads.length));
            m.put("heads", heads);
            out.add(m);
        }
        return out;
    }

    private static List<Map<String, Object>> compare(float[][] r, int items) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            float[] a = r[2 * i];
            float[] b = r[2 * i + 1];
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p_a", EnsembleMath.probabilityAPreferred(a, b));
            m.put("margin", EnsembleMath.meanMargin(a, b));
            m.put("spread", EnsembleMath.marginSpread(a, b));
            m.put("confidence", EnsembleMath.confidence(a, b));
            out.add(m);
        }
        return out;
    }
}
