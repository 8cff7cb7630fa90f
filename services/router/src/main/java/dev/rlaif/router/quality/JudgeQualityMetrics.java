package dev.rlaif.router.quality;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publishes {@link JudgeQuality} summaries as gauges tagged {@code judge_model} and {@code prompt_version}
 * ({@code rlaif_judge_quality_position_inconsistency}, {@code _votes_per_pair}, {@code _audit_agreement},
 * {@code _audit_agreement_low}, {@code _audit_agreement_high}, {@code _ece}, {@code _alarm}) and logs one WARN line
 * when a key's alarm goes on (and an INFO line when it clears).
 */
public final class JudgeQualityMetrics {

    private static final Logger log = LoggerFactory.getLogger(JudgeQualityMetrics.class);

    private final MeterRegistry registry;
    private final double floor;
    private final Map<JudgeQuality.Key, JudgeQuality.Summary> latest = new ConcurrentHashMap<>();
    private final Set<JudgeQuality.Key> alarmed = new HashSet<>();

    public JudgeQualityMetrics(MeterRegistry registry, double floor) {
        this.registry = registry;
        this.floor = floor;
    }

    /** Updates the gauges from the latest summaries; returns the keys whose alarm is on. */
    public synchronized Set<JudgeQuality.Key> publish(Iterable<JudgeQuality.Summary> summaries) {
        for (JudgeQuality.Summary s : summaries) {
            JudgeQuality.Key k = s.key();
            if (latest.put(k, s) == null) {
                Tags tags = Tags.of("judge_model", k.judgeModel(), "prompt_version", k.promptVersion());
                gauge("rlaif_judge_quality_position_inconsistency", tags, k, JudgeQuality.Summary::inconsistencyRate);
                gauge("rlaif_judge_quality_votes_per_pair", tags, k, JudgeQuality.Summary::votesPerPair);
                gauge("rlaif_judge_quality_audit_agreement", tags, k, JudgeQuality.Summary::auditAgreement);
                gauge("rlaif_judge_quality_audit_agreement_low", tags, k, JudgeQuality.Summary::auditLow);
                gauge("rlaif_judge_quality_audit_agreement_high", tags, k, JudgeQuality.Summary::auditHigh);
                gauge("rlaif_judge_quality_ece", tags, k, JudgeQuality.Summary::ece);
                gauge("rlaif_judge_quality_alarm", tags, k, x -> x.alarm() ? 1.0 : 0.0);
            }
            if (s.alarm() && alarmed.add(k)) {
                log.warn("judge quality alarm: {} prompt {} agrees with humans on {} of {} audits ({} - {} at 95%), "
                                + "below the floor {}", k.judgeModel(), k.promptVersion(), String.format("%.3f", s.auditAgreement()),
                        s.audits(), String.format("%.3f", s.auditLow()), String.format("%.3f", s.auditHigh()), floor);
            } else if (!s.alarm() && alarmed.remove(k)) {
                log.info("judge quality alarm cleared: {} prompt {} agreement on audits {}", k.judgeModel(),
                        k.promptVersion(), String.format("%.3f", s.auditAgreement()));
            }
        }
        return Set.copyOf(alarmed);
    }

    private void gauge(String name, Tags tags, JudgeQuality.Key k, java.util.function.ToDoubleFunction<JudgeQuality.Summary> f) {
        Gauge.builder(name, latest, m -> {
            JudgeQuality.Summary s = m.get(k);
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }).tags(tags).register(registry);
    }
}
