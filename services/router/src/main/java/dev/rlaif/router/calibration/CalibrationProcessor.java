package dev.rlaif.router.calibration;

import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Adds {@link Observation}s (keyed by judge model) to the calibration table: the store {@value #STORE}
 * ({@code model\u0000bucket} -> {@code [labels, agreements]}) is the durable copy, the shared {@link Calibration}
 * the live one the routing processor and the metrics read. On start the live table is reloaded from the store.
 */
public final class CalibrationProcessor extends ContextualProcessor<String, Observation, Void, Void> {

    /** The durable calibration table. */
    public static final String STORE = "router-calibration";

    private final Calibration calibration;
    private KeyValueStore<String, long[]> table;

    public CalibrationProcessor(Calibration calibration) {
        this.calibration = calibration;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        super.init(context);
        table = context.getStateStore(STORE);
        try (KeyValueIterator<String, long[]> all = table.all()) {
            all.forEachRemaining(kv -> Calibration.splitKey(kv.key).ifPresent(k ->
                    calibration.set(k[0], Integer.parseInt(k[1]), kv.value[0], kv.value[1])));
        }
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
        calibration.set(model, bucket, n, agree);
    }
}
