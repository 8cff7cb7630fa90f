package dev.rlaif.router.quality;

import dev.rlaif.router.RouterConfig;
import dev.rlaif.router.policy.RoutingPolicy;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns {@code judgments} and {@code human-labels} (both keyed by pair id, co-partitioned) into
 * {@link QualityEvent}s keyed by judge model and prompt version. A judgment of the LLM judge with an A/B/TIE verdict
 * is one event; when the routing policy (at the configured threshold and audit rate) sends it to humans as AUDIT or
 * LOW_CONFIDENCE it is remembered in {@value #STORE}, and each distinct human label of that pair is one more event.
 */
public final class QualityObserveProcessor extends ContextualProcessor<String, SpecificRecord, String, QualityEvent> {

    public static final String STORE = "router-quality-judged";

    private final RouterConfig config;
    private KeyValueStore<String, JudgedForQuality> judged;

    public QualityObserveProcessor(RouterConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<String, QualityEvent> context) {
        super.init(context);
        judged = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof Judgment j) {
            judgment(record, j);
        } else if (record.value() instanceof HumanLabel l) {
            label(record, l);
        }
    }

    private void judgment(Record<String, SpecificRecord> record, Judgment j) {
        if (j.getJudgeType() != JudgeType.LLM || !sided(j.getVerdict())) {
            return;
        }
        String prompt = j.getPromptVersion() == null ? "" : j.getPromptVersion();
        QualityEvent e = new QualityEvent(j.getJudgeModel(), prompt, false, j.getPositionConsistent(), j.getSamplesDrawn(),
                j.getConfidence(), false, false);
        context().forward(record.withKey(e.partitionKey()).withValue(e));
        Optional<EscalationReason> reason = RoutingPolicy.decide(j, config.confidenceThreshold(), config.auditRate()).escalation();
        if (reason.isPresent() && (reason.get() == EscalationReason.AUDIT || reason.get() == EscalationReason.LOW_CONFIDENCE)) {
            judged.put(j.getPairId(), new JudgedForQuality(j.getJudgeModel(), prompt, j.getConfidence(),
                    j.getVerdict().name(), reason.get() == EscalationReason.AUDIT, List.of()));
        }
    }

    private void label(Record<String, SpecificRecord> record, HumanLabel l) {
        JudgedForQuality p = judged.get(l.getPairId());
        if (p == null || p.labelIds().contains(l.getLabelId())) {
            return;
        }
        List<String> ids = new ArrayList<>(p.labelIds());
        ids.add(l.getLabelId());
        judged.put(l.getPairId(), new JudgedForQuality(p.judgeModel(), p.promptVersion(), p.confidence(), p.verdict(),
                p.audit(), ids));
        QualityEvent e = new QualityEvent(p.judgeModel(), p.promptVersion(), true, true, 0, p.confidence(),
                p.verdict().equals(l.getChoice().name()), p.audit());
        context().forward(record.withKey(e.partitionKey()).withValue(e));
    }

    private static boolean sided(Verdict v) {
        return v == Verdict.A || v == Verdict.B || v == Verdict.TIE;
    }
}
