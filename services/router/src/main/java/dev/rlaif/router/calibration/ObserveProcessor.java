package dev.rlaif.router.calibration;

import dev.rlaif.schema.HumanLabel;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code human-labels} (keyed by pair id, co-partitioned with {@code judgments}) and, for a pair the router
 * remembered in {@value #STORE}, emits an {@link Observation} keyed by judge model. Duplicate label ids count once.
 */
public final class ObserveProcessor extends ContextualProcessor<String, HumanLabel, String, Observation> {

    /** Pairs sent to humans with a usable AI verdict. */
    public static final String STORE = "router-judged";

    private KeyValueStore<String, JudgedPair> judged;

    @Override
    public void init(ProcessorContext<String, Observation> context) {
        super.init(context);
        judged = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, HumanLabel> record) {
        HumanLabel label = record.value();
        String pairId = label.getPairId();
        JudgedPair pair = judged.get(pairId);
        if (pair == null || pair.labelIds().contains(label.getLabelId())) {
            return;
        }
        List<String> ids = new ArrayList<>(pair.labelIds());
        ids.add(label.getLabelId());
        judged.put(pairId, new JudgedPair(pair.judgeModel(), pair.confidence(), pair.verdict(), ids));
        boolean agreed = pair.verdict().equals(label.getChoice().name());
        context().forward(record.withKey(pair.judgeModel()).withValue(new Observation(pair.confidence(), agreed)));
    }
}
