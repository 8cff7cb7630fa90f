package dev.rlaif.labeling.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.labeling.LabelingConfig;
import dev.rlaif.labeling.auth.Account;
import dev.rlaif.labeling.auth.Accounts;
import dev.rlaif.labeling.auth.Role;
import dev.rlaif.labeling.gold.GoldMetrics;
import dev.rlaif.labeling.queue.Assignment;
import dev.rlaif.labeling.queue.LabelQueue;
import dev.rlaif.labeling.queue.LeaseResult;
import dev.rlaif.labeling.queue.SubmitResult;
import dev.rlaif.labeling.stats.LabelingStats;
import dev.rlaif.labeling.store.StoredLabel;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.JudgeSample;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PairedResponse;
import dev.rlaif.schema.Verdict;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The REST API of the labeling service (see docs/labeling.md): next task, submit, skip, release, queue stats and
 * annotator stats. Every call authenticates; annotators get tasks and their own stats, admins the queue and
 * agreement stats. A submit answers success only after {@code human-labels} acknowledged the label.
 */
public final class LabelingApi {

    /** The progress counter counts available tasks up to this many ("99+"). */
    static final int PROGRESS_CAP = 100;

    private final LabelingConfig config;
    private final Accounts accounts;
    private final LabelQueue queue;
    private final Consumer<StoredLabel> publish;
    private final Clock clock;
    private final Timer nextTimer;
    private final Timer submitTimer;
    private final MeterRegistry metrics;
    private final GoldMetrics goldMetrics;

    /**
     * @param publish sends a stored label to {@code human-labels} and returns once acknowledged; throws if not
     */
    public LabelingApi(LabelingConfig config, Accounts accounts, LabelQueue queue, Consumer<StoredLabel> publish,
                       Clock clock, MeterRegistry metrics) {
        this.config = config;
        this.accounts = accounts;
        this.queue = queue;
        this.publish = publish;
        this.clock = clock;
        this.metrics = metrics;
        this.goldMetrics = new GoldMetrics(queue, metrics);
        this.nextTimer = Timer.builder("labeling.next").description("next-task calls").publishPercentiles(0.5, 0.99).register(metrics);
        this.submitTimer = Timer.builder("labeling.submit").description("submit calls").publishPercentiles(0.5, 0.99).register(metrics);
    }

    /** Declares the API routes. */
    public void routes(JavalinConfig cfg) {
        cfg.routes.exception(ApiError.class, (e, ctx) -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.getMessage());
            if (e.field() != null) {
                body.put("field", e.field());
            }
            if (e.status() == 401) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"rlaif-labeling\"");
            }
            ctx.status(e.status()).json(body);
        });
        // Read every POST body before answering, even a 401 or a skip that ignores it: an answer sent while the
        // client is still writing its body can reach it as a dropped connection instead of a status.
        cfg.routes.before("/api/*", ctx -> {
            if ("POST".equals(ctx.method().name())) {
                ctx.bodyAsBytes();
            }
        });
        cfg.routes.get("/api/me", ctx -> {
            Account a = authenticate(ctx);
            ctx.json(Map.of("id", a.id(), "role", a.role().name().toLowerCase(Locale.ROOT), "simulated", a.simulated()));
        });
        cfg.routes.get("/api/guideline", ctx -> ctx.json(Map.of("guideline", config.guideline(),
                "lease_timeout_s", config.leaseTimeout().toSeconds())));
        cfg.routes.get("/api/tasks/next", this::next);
        cfg.routes.post("/api/leases/{lease}/submit", this::submit);
        cfg.routes.post("/api/leases/{lease}/skip", ctx -> endLease(ctx, true));
        cfg.routes.post("/api/leases/{lease}/release", ctx -> endLease(ctx, false));
        cfg.routes.get("/api/stats/me", ctx -> {
            Account a = require(ctx, Role.ANNOTATOR);
            Instant now = clock.instant();
            ctx.json(LabelingStats.own(queue.snapshot(now), a.id(), now));
        });
        cfg.routes.get("/api/stats/queue", ctx -> {
            require(ctx, Role.ADMIN);
            Instant now = clock.instant();
            ctx.json(LabelingStats.queue(queue.snapshot(now), now));
        });
        cfg.routes.get("/api/stats/annotators", ctx -> {
            require(ctx, Role.ADMIN);
            Instant now = clock.instant();
            ctx.json(LabelingStats.annotators(queue.snapshot(now), now));
        });
    }

    private void next(Context ctx) {
        Account a = require(ctx, Role.ANNOTATOR);
        long t0 = System.nanoTime();
        try {
            Instant now = clock.instant();
            var assignment = queue.next(a.id(), now);
            if (assignment.isEmpty()) {
                ctx.status(204);
                return;
            }
            ctx.json(render(assignment.get(), a, now));
        } finally {
            nextTimer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void submit(Context ctx) {
        Account a = require(ctx, Role.ANNOTATOR);
        long t0 = System.nanoTime();
        try {
            JsonNode body = body(ctx);
            String labelId = text(body, "label_id", true);
            if (labelId.length() > 100 || !labelId.matches("[A-Za-z0-9._:-]+")) {
                throw new ApiError(400, "label_id", "label_id must be 1-100 characters of letters, digits and ._:-");
            }
            String choiceText = text(body, "choice", true).toUpperCase(Locale.ROOT);
            Choice shown;
            try {
                shown = Choice.valueOf(choiceText);
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "choice", "choice must be A (left), B (right) or TIE, was '" + choiceText + "'");
            }
            String rationale = text(body, "rationale", false);
            if (rationale != null && rationale.isBlank()) {
                rationale = null;
            }
            if (rationale != null && rationale.length() > 5000) {
                throw new ApiError(400, "rationale", "rationale is longer than 5000 characters");
            }
            long spent = 0;
            if (body.hasNonNull("time_spent_ms")) {
                if (!body.get("time_spent_ms").canConvertToLong() || body.get("time_spent_ms").asLong() < 0) {
                    throw new ApiError(400, "time_spent_ms", "time_spent_ms must be a non-negative integer");
                }
                spent = body.get("time_spent_ms").asLong();
            }
            SubmitResult r = queue.submit(a.id(), a.simulated(), ctx.pathParam("lease"), labelId, shown, rationale, spent, clock.instant());
            metrics.counter("labeling.submits", "status", r.status().name()).increment();
            boolean fresh = r.status() == SubmitResult.Status.ACCEPTED || r.status() == SubmitResult.Status.ACCEPTED_LATE;
            if (fresh && r.gold()) {
                goldMetrics.register(a.id());
            } else if (fresh) {
                metrics.counter("rlaif_labeling_labels_total", "annotator_kind", a.simulated() ? "simulated" : "human").increment();
            }
            switch (r.status()) {
                case NOT_FOUND -> throw new ApiError(404, "lease", r.message());
                case FORBIDDEN -> throw new ApiError(403, "lease", r.message());
                case CONFLICT -> throw new ApiError(409, null, r.message());
                default -> {
                }
            }
            try {
                if (!r.gold()) {
                    publish.accept(r.label());
                }
            } catch (RuntimeException e) {
                throw new ApiError(503, null, "your label is stored but Kafka has not acknowledged it yet; "
                        + "resend the same request (same label_id) to confirm: " + e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", r.status().name().toLowerCase(Locale.ROOT));
            out.put("label_id", r.label().labelId());
            out.put("escalation_id", r.label().escalationId());
            out.put("pair_id", r.label().pairId());
            out.put("choice", r.label().choice());
            out.put("message", r.message());
            out.put("labels_by_you", queue.labelCount(a.id()));
            ctx.json(out);
        } finally {
            submitTimer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void endLease(Context ctx, boolean skip) {
        Account a = require(ctx, Role.ANNOTATOR);
        String lease = ctx.pathParam("lease");
        Instant now = clock.instant();
        LeaseResult r = skip ? queue.skip(a.id(), lease, now) : queue.release(a.id(), lease, now);
        switch (r) {
            case OK -> ctx.json(Map.of("status", skip ? "skipped" : "released", "lease_id", lease));
            case NOT_FOUND -> throw new ApiError(404, "lease", "no lease " + lease);
            case FORBIDDEN -> throw new ApiError(403, "lease", "lease " + lease + " belongs to another annotator");
            case NOT_ACTIVE -> throw new ApiError(409, "lease", "lease " + lease + " is no longer active (submitted, released or expired)");
        }
    }

    /** The task as the page shows it: responses in this annotator's order, A = left. */
    Map<String, Object> render(Assignment as, Account a, Instant now) {
        EscalationRequest r = as.request();
        boolean aLeft = as.aOnLeft();
        PairedResponse left = aLeft ? r.getPair().getA() : r.getPair().getB();
        PairedResponse right = aLeft ? r.getPair().getB() : r.getPair().getA();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lease_id", as.lease().leaseId());
        out.put("escalation_id", r.getEscalationId());
        out.put("pair_id", r.getPairId());
        out.put("reason", r.getReason().name());
        out.put("audit", r.getReason() == EscalationReason.AUDIT);
        out.put("lease_expires_at", Instant.ofEpochMilli(as.lease().expiresAt()).toString());
        out.put("lease_seconds_left", Math.max(0, (as.lease().expiresAt() - now.toEpochMilli()) / 1000.0));
        out.put("labels_wanted", as.labelsWanted());
        out.put("labels_done", as.labelsDone());
        List<Map<String, String>> turns = new ArrayList<>();
        for (ChatMessage m : r.getPair().getPrompt()) {
            turns.add(Map.of("role", m.getRole(), "content", m.getContent()));
        }
        out.put("prompt", turns);
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put("A", Map.of("generation_id", left.getGenerationId(), "text", left.getResponse()));
        responses.put("B", Map.of("generation_id", right.getGenerationId(), "text", right.getResponse()));
        out.put("responses", responses);
        out.put("suggestion", suggestion(r, aLeft));
        int available = queue.availableTo(a.id(), now, PROGRESS_CAP);
        out.put("progress", Map.of("labeled_by_you", queue.labelCount(a.id()), "available", available,
                "available_text", available >= PROGRESS_CAP ? (PROGRESS_CAP - 1) + "+" : String.valueOf(available)));
        return out;
    }

    /** The judge's view, only when configured, never for audits; its verdict is put in this page's A/B terms. */
    private Map<String, Object> suggestion(EscalationRequest r, boolean aLeft) {
        Judgment j = r.getJudgment();
        if (!config.showSuggestions() || r.getReason() == EscalationReason.AUDIT || j == null) {
            return null;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("preferred", shownVerdict(j.getVerdict(), aLeft));
        s.put("confidence", j.getConfidence());
        s.put("judge_model", j.getJudgeModel());
        List<String> reasoning = new ArrayList<>();
        for (JudgeSample sample : j.getSamples()) {
            if (sample.getReasoning() != null && !sample.getReasoning().isBlank()) {
                reasoning.add("[judge saw the pair as " + sample.getOrder() + ", voted " + shownVerdict(sample.getVerdict(), aLeft)
                        + " in this page's terms] " + sample.getReasoning());
            }
            if (reasoning.size() >= 3) {
                break;
            }
        }
        s.put("reasoning", reasoning);
        return s;
    }

    private static String shownVerdict(Verdict v, boolean aLeft) {
        if (v == Verdict.A) {
            return aLeft ? "A" : "B";
        }
        if (v == Verdict.B) {
            return aLeft ? "B" : "A";
        }
        return v.name();
    }

    private Account authenticate(Context ctx) {
        return accounts.authenticate(ctx.header("Authorization"))
                .orElseThrow(() -> new ApiError(401, "Authorization", "sign in: send 'Authorization: Bearer <token>' "
                        + "or Basic id:password"));
    }

    private Account require(Context ctx, Role role) {
        Account a = authenticate(ctx);
        if (a.role() != role) {
            throw new ApiError(403, null, role == Role.ADMIN ? "admins only" : "annotators only: admins do not label");
        }
        return a;
    }

    private static JsonNode body(Context ctx) {
        String raw = ctx.body();
        if (raw.isBlank()) {
            throw new ApiError(400, "body", "a JSON body is required");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(raw);
            if (n == null || !n.isObject()) {
                throw new ApiError(400, "body", "the body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ApiError(400, "body", "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new ApiError(400, field, field + " is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new ApiError(400, field, field + " must be a string");
        }
        if (required && n.asText().isBlank()) {
            throw new ApiError(400, field, field + " must not be empty");
        }
        return n.asText();
    }
}
