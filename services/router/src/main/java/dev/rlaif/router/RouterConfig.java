package dev.rlaif.router;

import dev.rlaif.common.config.Env;
import dev.rlaif.schema.EscalationReason;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The router's settings, read from {@code RLAIF_ROUTER_*} variables (see docs/routing.md for the table).
 *
 * @param applicationId      Kafka Streams application id (also its consumer group)
 * @param confidenceThreshold judgments at or above it (and consistent, valid) become AI labels
 * @param auditRate          share of confident pairs also sent to humans, chosen by a hash of the pair id
 * @param labelsWanted       distinct annotators wanted per escalation reason
 * @param budgetPerHour      human labels per hour the annotators can give; 0 = unlimited (no deferral)
 * @param budgetWindow       length of one budget slot
 * @param calibrationBuckets number of equal-width confidence buckets of the calibration table
 * @param autoThreshold      whether the threshold follows the calibration table
 * @param targetAccuracy     accuracy of AI labels the automatic threshold aims at
 * @param minBucketSamples   human-labelled pairs a bucket needs before the automatic threshold trusts it
 */
public record RouterConfig(String applicationId, double confidenceThreshold, double auditRate,
                           Map<EscalationReason, Integer> labelsWanted, double budgetPerHour, Duration budgetWindow,
                           int calibrationBuckets, boolean autoThreshold, double targetAccuracy, int minBucketSamples) {

    /** Defaults: disputes (the judge contradicting itself across orders) want three annotators, the rest one. */
    public static final Map<EscalationReason, Integer> DEFAULT_LABELS_WANTED = defaultsWanted();

    public RouterConfig {
        require(confidenceThreshold >= 0 && confidenceThreshold <= 1, "RLAIF_ROUTER_CONFIDENCE_THRESHOLD must be in [0, 1], was " + confidenceThreshold);
        require(auditRate >= 0 && auditRate <= 1, "RLAIF_ROUTER_AUDIT_RATE must be in [0, 1], was " + auditRate);
        require(budgetPerHour >= 0, "RLAIF_ROUTER_HUMAN_BUDGET_PER_HOUR must be >= 0 (0 = unlimited), was " + budgetPerHour);
        require(!budgetWindow.isNegative() && !budgetWindow.isZero(), "RLAIF_ROUTER_BUDGET_WINDOW must be positive, was " + budgetWindow);
        require(calibrationBuckets >= 2 && calibrationBuckets <= 100, "RLAIF_ROUTER_CALIBRATION_BUCKETS must be in [2, 100], was " + calibrationBuckets);
        require(targetAccuracy > 0 && targetAccuracy <= 1, "RLAIF_ROUTER_TARGET_ACCURACY must be in (0, 1], was " + targetAccuracy);
        require(minBucketSamples >= 1, "RLAIF_ROUTER_MIN_BUCKET_SAMPLES must be >= 1, was " + minBucketSamples);
        EnumMap<EscalationReason, Integer> wanted = new EnumMap<>(DEFAULT_LABELS_WANTED);
        wanted.putAll(labelsWanted);
        wanted.forEach((r, n) -> require(n >= 1, "RLAIF_ROUTER_LABELS_WANTED: " + r + " must want at least 1 label, was " + n));
        labelsWanted = Map.copyOf(wanted);
    }

    public static RouterConfig defaults() {
        return fromEnv(new Env(Map.of()));
    }

    public static RouterConfig fromEnv(Env env) {
        return new RouterConfig(
                env.string("RLAIF_ROUTER_APP_ID", "rlaif-router"),
                env.decimal("RLAIF_ROUTER_CONFIDENCE_THRESHOLD", 0.8),
                env.decimal("RLAIF_ROUTER_AUDIT_RATE", 0.05),
                parseWanted(env.string("RLAIF_ROUTER_LABELS_WANTED", "")),
                env.decimal("RLAIF_ROUTER_HUMAN_BUDGET_PER_HOUR", 0),
                env.duration("RLAIF_ROUTER_BUDGET_WINDOW", Duration.ofHours(1)),
                env.integer("RLAIF_ROUTER_CALIBRATION_BUCKETS", 10),
                env.bool("RLAIF_ROUTER_AUTO_THRESHOLD", false),
                env.decimal("RLAIF_ROUTER_TARGET_ACCURACY", 0.95),
                env.integer("RLAIF_ROUTER_MIN_BUCKET_SAMPLES", 20));
    }

    /** Parses {@code AUDIT=1,POSITION_INCONSISTENT=3} (reason names case-insensitive, '-' or '_'). */
    static Map<EscalationReason, Integer> parseWanted(String text) {
        Map<EscalationReason, Integer> out = new EnumMap<>(EscalationReason.class);
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            String[] kv = part.split("=");
            if (kv.length != 2) {
                throw new IllegalArgumentException("RLAIF_ROUTER_LABELS_WANTED: expected REASON=N, got '" + part.trim() + "'");
            }
            EscalationReason reason;
            try {
                reason = EscalationReason.valueOf(kv[0].trim().toUpperCase().replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("RLAIF_ROUTER_LABELS_WANTED: unknown reason '" + kv[0].trim() + "'");
            }
            try {
                out.put(reason, Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("RLAIF_ROUTER_LABELS_WANTED: not a number for " + reason + ": '" + kv[1].trim() + "'");
            }
        }
        return out;
    }

    public int labelsWanted(EscalationReason reason) {
        return labelsWanted.getOrDefault(reason, 1);
    }

    /** A copy with another threshold (tests). */
    public RouterConfig withThreshold(double threshold) {
        return new RouterConfig(applicationId, threshold, auditRate, labelsWanted, budgetPerHour, budgetWindow,
                calibrationBuckets, autoThreshold, targetAccuracy, minBucketSamples);
    }

    /** A copy with another audit rate (tests). */
    public RouterConfig withAuditRate(double rate) {
        return new RouterConfig(applicationId, confidenceThreshold, rate, labelsWanted, budgetPerHour, budgetWindow,
                calibrationBuckets, autoThreshold, targetAccuracy, minBucketSamples);
    }

    /** A copy with another human budget (tests). */
    public RouterConfig withBudget(double perHour, Duration window) {
        return new RouterConfig(applicationId, confidenceThreshold, auditRate, labelsWanted, perHour, window,
                calibrationBuckets, autoThreshold, targetAccuracy, minBucketSamples);
    }

    /** A copy with the automatic threshold switched on or off (tests). */
    public RouterConfig withAutoThreshold(boolean on, int minSamples) {
        return new RouterConfig(applicationId, confidenceThreshold, auditRate, labelsWanted, budgetPerHour, budgetWindow,
                calibrationBuckets, on, targetAccuracy, minSamples);
    }

    /** For the start-up log. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("appId", applicationId);
        m.put("confidenceThreshold", confidenceThreshold);
        m.put("auditRate", auditRate);
        m.put("labelsWanted", new EnumMap<>(labelsWanted));
        m.put("budgetPerHour", budgetPerHour == 0 ? "unlimited" : budgetPerHour);
        m.put("budgetWindow", budgetWindow);
        m.put("calibrationBuckets", calibrationBuckets);
        m.put("autoThreshold", autoThreshold);
        m.put("targetAccuracy", targetAccuracy);
        m.put("minBucketSamples", minBucketSamples);
        return m;
    }

    private static Map<EscalationReason, Integer> defaultsWanted() {
        EnumMap<EscalationReason, Integer> m = new EnumMap<>(EscalationReason.class);
        for (EscalationReason r : EscalationReason.values()) {
            m.put(r, 1);
        }
        m.put(EscalationReason.POSITION_INCONSISTENT, 3);
        return Map.copyOf(m);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
