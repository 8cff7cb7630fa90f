package dev.rlaif.router.calibration;

import dev.rlaif.schema.CalibrationCell;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;

/**
 * Adds {@link Observation}s (keyed by judge model, so one instance owns each model's cells) to the calibration
 * table: the store {@value #STORE} ({@code model\u0000bucket} -> {@code [labels, agreements]}) is the owner's
 * durable copy, and every changed cell is forwarded as a {@link CalibrationCell} to the compacted
 * {@code calibration} topic, which every router instance reads whole into its {@link CalibrationView}. The live
 * {@link Calibration} is filled from that view only, so all instances route with the same table.
 */
public final class CalibrationProcessor extends ContextualProcessor<String, Observation, String, CalibrationCell> {

    /** The durable calibration table of the models this instance owns. */
    public static final String STORE = "router-calibration";

    private final Calibration calibration;
    private KeyValueStore<String, long[]> table;

    /** @param calibration only for its bucketing; the table itself is filled by {@link CalibrationView} */
    public CalibrationProcessor(Calibration calibration) {
        this.calibration = calibration;
    }

    @Override
    public void init(ProcessorContext<String, CalibrationCell> context) {
        super.init(context);
        table = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, Observation> record) {
        String model = record.key();
        Observation o = record.value();
        int bucket = calibration.bucket(o.confidence());
        String key = Calibration.key(model, bucket);
        long[] cell = table.get(key);
        long n = (cell == null ? 0 : cell[0]) + 1;
        long agree = (cell == null ? 0 : cell[1]) + (o.agreed() ? 1 : 0);
        table.put(key, new long[]{n, agree});
        context().forward(record.withKey(key).withValue(CalibrationCell.newBuilder()
                .setJudgeModel(model).setBucket(bucket).setBuckets(calibration.buckets())
                .setLabels(n).setAgreements(agree).setUpdatedAt(Instant.ofEpochMilli(record.timestamp()))
                .build()));
    }
}
