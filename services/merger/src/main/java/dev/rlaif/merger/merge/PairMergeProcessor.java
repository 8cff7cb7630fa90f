package dev.rlaif.merger.merge;

import dev.rlaif.merger.MergerConfig;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.FeedbackKind;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.RankedResponse;
import dev.rlaif.schema.UserFeedback;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-pair merge: one instance per input (judgments, ai-labels, escalations, human-labels, pairwise
 * feedback, enrichment), all keyed by pair id and sharing the stores below. Each input updates what is known of
 * the pair, then the pair's preference is recomputed with {@link MergeRules}; when it differs from the last one
 * emitted, a PreferenceLabel with the next label_version is forwarded (same key: the compacted topic and the trainer
 * keep the latest), and, when the annotators' decision changed on an LLM-judged pair, a RationalePreference.
 */
public final class PairMergeProcessor extends ContextualProcessor<String, SpecificRecord, String, SpecificRecord> {

    /** Which input this instance reads. */
    public enum Input { JUDGMENT, AI_LABEL, ESCALATION, HUMAN_LABEL, USER_FEEDBACK, RESPONSE }

    public static final String STATE = "merger-state";
    public static final String PAIRS = "merger-pairs";
    public static final String JUDGMENTS = "merger-judgments";
    public static final String RESPONSES = "merger-responses";
    public static final String ANNOTATORS = "merger-annotators";
    public static final String[] STORES = {STATE, PAIRS, JUDGMENTS, RESPONSES, ANNOTATORS};

    private final Input input;
    private final MergerConfig config;
    private final MeterRegistry metrics;
    private KeyValueStore<String, PairState> states;
    private KeyValueStore<String, ComparisonPair> pairs;
    private KeyValueStore<String, Judgment> judgments;
    private KeyValueStore<String, RankedResponse> responses;
    private KeyValueStore<String, AnnotatorModel> annotators;
    private AnnotatorModel model;

    /** @param metrics where {@code rlaif_merger_preferences_total{source}} and {@code rlaif_merger_rationales_total} are counted */
    public PairMergeProcessor(Input input, MergerConfig config, MeterRegistry metrics) {
        this.input = input;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        states = context.getStateStore(STATE);
        pairs = context.getStateStore(PAIRS);
        judgments = context.getStateStore(JUDGMENTS);
        responses = context.getStateStore(RESPONSES);
        annotators = context.getStateStore(ANNOTATORS);
    }

    /** Key of a pair's response in {@value #RESPONSES}. */
    public static String responseKey(String pairId, String generationId) {
        return pairId + '\u0000' + generationId;
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String pairId = record.key();
        if (pairId == null) {
            throw new IllegalArgumentException("record without a pair id key");
        }
        PairState s = states.get(pairId);
        if (s == null) {
            s = new PairState();
        }
        // the pair's state is written back only when this record or the emit below changed it: a judgment or a
        // response alone leaves it as it was (absent reads as new PairState())
        boolean changed = false;
        // the judgment and pair this record stored or found stored, so emit need not read them back
        Judgment known = null;
        switch (input) {
            case JUDGMENT -> known = keepJudgment((Judgment) record.value());
            case AI_LABEL -> {
                known = keepJudgment((Judgment) record.value());
                changed = !s.aiLabeled;
                s.aiLabeled = true;
            }
            case ESCALATION -> {
                EscalationRequest e = (EscalationRequest) record.value();
                known = judgments.get(pairId);
                if (known == null && e.getJudgment() != null) {
                    known = e.getJudgment();
                    judgments.put(pairId, known);
                }
                if (known == null && pairs.get(pairId) == null) {
                    pairs.put(pairId, e.getPair()); // the pair alone: no judgment carries it yet
                }
                changed = e.getLabelsWanted() > s.labelsWanted;
                s.labelsWanted = Math.max(s.labelsWanted, e.getLabelsWanted());
            }
            case HUMAN_LABEL -> {
                HumanLabel l = (HumanLabel) record.value();
                if (!s.labelIds.add(l.getLabelId())) {
                    return; // a repeated submission
                }
                long at = l.getCreatedAt().toEpochMilli();
                PairState.Vote before = s.annotators.get(l.getAnnotatorId());
                if (before == null || before.at() <= at) {
                    s.annotators.put(l.getAnnotatorId(), new PairState.Vote(l.getLabelId(), l.getChoice().name(), at));
                }
                states.put(pairId, s);
                refitWhenDue();
            }
            case USER_FEEDBACK -> {
                UserFeedback f = (UserFeedback) record.value();
                if (f.getKind() != FeedbackKind.PAIRWISE) {
                    throw new IllegalArgumentException("not pairwise feedback: " + f.getKind());
                }
                long at = f.getCreatedAt().toEpochMilli();
                PairState.UserVote before = s.users.get(f.getUserId());
                if (before != null && (before.feedbackId().equals(f.getFeedbackId()) || before.at() > at)) {
                    return;
                }
                String preferred = switch (f.getChoice()) {
                    case A -> f.getGenerationId();
                    case B -> f.getOtherGenerationId();
                    case TIE -> null;
                };
                s.users.put(f.getUserId(), new PairState.UserVote(f.getFeedbackId(), preferred, at));
                changed = true;
            }
            case RESPONSE -> {
                RankedResponse r = (RankedResponse) record.value();
                responses.put(responseKey(pairId, r.getGenerationId()), r);
            }
        }
        if (emit(pairId, s, record.timestamp(), known) || changed) {
            states.put(pairId, s);
        }
    }

    /** Refits the annotators' model every {@code reliabilityRefitLabels} human labels of this task. */
    private void refitWhenDue() {
        if (config.reliabilityMinLabels() <= 0) {
            return;
        }
        AnnotatorModel m = currentModel();
        m.labelsSinceFit++;
        if (m.labelsSinceFit >= config.reliabilityRefitLabels()) {
            List<PairState> all = new ArrayList<>();
            try (KeyValueIterator<String, PairState> it = states.all()) {
                it.forEachRemaining(kv -> all.add(kv.value));
            }
            m = AnnotatorModel.fit(all);
        }
        model = m;
        annotators.put(AnnotatorModel.KEY, m);
    }

    private AnnotatorModel currentModel() {
        if (model == null) {
            model = annotators.get(AnnotatorModel.KEY);
        }
        return model == null ? new AnnotatorModel() : model;
    }

    /**
     * Keeps a judgment, and with it its pair: a pair is stored once, inside its judgment in {@value #JUDGMENTS};
     * {@value #PAIRS} holds only the pairs of escalations that came without a judgment (and, from mergers before
     * this rule, a copy of every judged pair, never read while the judgment is there). The router forwards the
     * judgment it read as the AI label, so the second arrival usually finds the same record stored: then nothing is
     * written. Returns the judgment now stored under the pair id.
     */
    private Judgment keepJudgment(Judgment j) {
        if (j.equals(judgments.get(j.getPairId()))) {
            return j;
        }
        judgments.put(j.getPairId(), j);
        return j;
    }

    /** The pair's content: the stored judgment's pair, else a pair an escalation brought alone, else null. */
    private ComparisonPair pairOf(String pairId, Judgment stored) {
        return stored != null ? stored.getPair() : pairs.get(pairId);
    }

    /**
     * Emits what changed; true when it changed {@code s} (a new version or rationale recorded in it). {@code known},
     * when not null, is the judgment stored for the pair (with its pair), so it is not read back and decoded again.
     */
    private boolean emit(String pairId, PairState s, long time, Judgment known) {
        Judgment j = known != null ? known : judgments.get(pairId);
        ComparisonPair pair = pairOf(pairId, j);
        if (pair == null) {
            return false; // content not known yet: decided when the judgment or escalation arrives
        }
        int version = s.version;
        String star = s.starFingerprint;
        RankedResponse ra = responses.get(responseKey(pairId, pair.getA().getGenerationId()));
        RankedResponse rb = responses.get(responseKey(pairId, pair.getB().getGenerationId()));
        AnnotatorModel m = config.reliabilityMinLabels() > 0 ? currentModel() : null;
        MergeRules.decide(s, pair, j, ra, rb, config.emitOnFirstLabel(), config.defaultLabelsWanted(), m,
                config.reliabilityMinLabels()).ifPresent(p -> {
            String fp = MergeRules.fingerprint(p);
            if (!fp.equals(s.fingerprint)) {
                s.version++;
                s.fingerprint = fp;
                PreferenceLabel label = p.setLabelVersion(s.version).setCreatedAt(Instant.ofEpochMilli(time)).build();
                context().forward(new Record<String, SpecificRecord>(pairId, label, time));
                metrics.counter("rlaif_merger_preferences_total", "source", label.getSource().name().toLowerCase(),
                        "first", String.valueOf(label.getLabelVersion() == 1)).increment();
            }
        });
        MergeRules.humanDecision(s, config.emitOnFirstLabel(), config.defaultLabelsWanted(), m,
                config.reliabilityMinLabels()).ifPresent(h -> {
            String fp = h.choice() + "|" + h.n();
            if (!fp.equals(s.starFingerprint)) {
                MergeRules.rationale(pair, j, h, time).ifPresent(r -> {
                    s.starFingerprint = fp;
                    context().forward(new Record<String, SpecificRecord>(pairId, r, time));
                    metrics.counter("rlaif_merger_rationales_total").increment();
                });
            }
        });
        return s.version != version || !java.util.Objects.equals(star, s.starFingerprint);
    }
}
