package dev.rlaif.router.quality;

import dev.rlaif.common.config.Env;

/**
 * Settings of the judge-quality figures: {@code RLAIF_ROUTER_QUALITY_BUCKETS} (ECE buckets, default 10),
 * {@code RLAIF_ROUTER_AUDIT_AGREEMENT_FLOOR} (alarm below this AI-human agreement on audits, default 0.85) and
 * {@code RLAIF_ROUTER_AUDIT_MIN} (audits before the alarm may fire, default 30).
 */
public record JudgeQualityConfig(int buckets, double floor, int minAudits) {

    public JudgeQualityConfig {
        if (buckets < 1 || buckets > 100) {
            throw new IllegalArgumentException("RLAIF_ROUTER_QUALITY_BUCKETS must be in 1..100, was " + buckets);
        }
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("RLAIF_ROUTER_AUDIT_AGREEMENT_FLOOR must be in [0, 1], was " + floor);
        }
        if (minAudits < 1) {
            throw new IllegalArgumentException("RLAIF_ROUTER_AUDIT_MIN must be at least 1, was " + minAudits);
        }
    }

    /** The defaults (what {@code fromEnv} gives with nothing set). */
    public static JudgeQualityConfig defaults() {
        return fromEnv(new Env(java.util.Map.of()));
    }

    public static JudgeQualityConfig fromEnv(Env env) {
        return new JudgeQualityConfig(env.integer("RLAIF_ROUTER_QUALITY_BUCKETS", 10),
                env.decimal("RLAIF_ROUTER_AUDIT_AGREEMENT_FLOOR", 0.85), env.integer("RLAIF_ROUTER_AUDIT_MIN", 30));
    }

    public JudgeQuality newQuality() {
        return new JudgeQuality(buckets, floor, minAudits);
    }
}
