package dev.rlaif.router.policy;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.router.RouterConfig;
import dev.rlaif.router.calibration.Calibration;
import dev.rlaif.router.calibration.JudgedPair;
import dev.rlaif.router.calibration.ObserveProcessor;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;

/**
 * Applies {@link RoutingPolicy} to each judgment: forwards the Judgment itself (an AI label) and/or an
 * {@link EscalationRequest}, keyed by pair id. A pair is routed once: a judgment for a pair already routed
 * (the judge re-judging after a restart) is skipped, using the store {@value #ROUTED}. Escalations with a usable
 * AI verdict (audits and low-confidence pairs) are remembered in {@link ObserveProcessor#STORE} for calibration.
 * The threshold is the configured one, or the calibrated one per judge model when automatic.
 */
public final class RouteProcessor extends ContextualProcessor<String, Judgment, String, SpecificRecord> {

    /** Pairs already routed (pair id -> outcome). */
    public static final String ROUTED = "router-routed";

    private static final Logger log = LoggerFactory.getLogger(RouteProcessor.class);

    private final RouterConfig config;
    private final Calibration calibration;
    private final MeterRegistry metrics;
    private KeyValueStore<String, String> routed;
    private KeyValueStore<String, JudgedPair> judged;

    /** @param metrics where {@code rlaif_router_routed_total{outcome}} is counted */
    public RouteProcessor(RouterConfig config, Calibration calibration, MeterRegistry metrics) {
        this.config = config;
        this.calibration = calibration;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        routed = context.getStateStore(ROUTED);
        judged = context.getStateStore(ObserveProcessor.STORE);
    }

    @Override
    public void process(Record<String, Judgment> record) {
        Judgment j = record.value();
        if (j.getPair() == null || j.getPairId() == null) {
            throw new IllegalArgumentException("judgment without pair or pair_id");
        }
        String pairId = j.getPairId();
        String before = routed.get(pairId);
        if (before != null) {
            log.debug("pair {} already routed ({}); skipping a repeated judgment", pairId, before);
            return;
        }
        double threshold = config.autoThreshold()
                ? calibration.threshold(j.getJudgeModel(), config.confidenceThreshold(), config.targetAccuracy(), config.minBucketSamples())
                : config.confidenceThreshold();
        RoutingPolicy.Decision d = RoutingPolicy.decide(j, threshold, config.auditRate());
        if (d.aiLabel()) {
            context().forward(record.withKey(pairId).withValue(j));
        }
        d.escalation().ifPresent(reason -> {
            if ((reason == EscalationReason.AUDIT || reason == EscalationReason.LOW_CONFIDENCE) && usable(j.getVerdict())) {
                judged.put(pairId, new JudgedPair(j.getJudgeModel(), j.getConfidence(), j.getVerdict().name(), List.of()));
            }
            context().forward(record.withKey(pairId).withValue(escalation(j, reason, record.timestamp())));
        });
        String outcome = (d.aiLabel() ? "AI" : "") + d.escalation().map(r -> (d.aiLabel() ? "+" : "") + r.name()).orElse("");
        routed.put(pairId, outcome);
        metrics.counter("rlaif_router_routed_total", "outcome", outcome.toLowerCase()).increment();
        if (d.aiLabel()) {
            metrics.counter("rlaif_router_ai_labels_total").increment();
        }
        d.escalation().ifPresent(r -> metrics.counter("rlaif_router_escalations_total", "reason", r.name().toLowerCase()).increment());
    }

    private EscalationRequest escalation(Judgment j, EscalationReason reason, long timestamp) {
        return EscalationRequest.newBuilder()
                .setEscalationId("esc-" + PairIds.hash(j.getPairId() + "|" + reason, 20))
                .setPairId(j.getPairId())
                .setPair(j.getPair())
                .setReason(reason)
                .setPriority(RoutingPolicy.priority(reason, j.getConfidence()))
                .setLabelsWanted(config.labelsWanted(reason))
                .setJudgment(j)
                .setNotBefore(null)
                .setCreatedAt(Instant.ofEpochMilli(timestamp))
                .build();
    }

    private static boolean usable(Verdict v) {
        return v == Verdict.A || v == Verdict.B || v == Verdict.TIE;
    }
}
