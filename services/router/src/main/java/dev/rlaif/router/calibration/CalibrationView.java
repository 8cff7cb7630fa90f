package dev.rlaif.router.calibration;

import dev.rlaif.schema.CalibrationCell;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's copy of the whole calibration table: the processor of the global store {@value #STORE}
 * over the compacted {@code calibration} topic. Every router instance runs one, so every instance sees the cells
 * of every judge model, whichever instance counted them. The live {@link Calibration} (routing threshold, metrics,
 * {@code ./rlaif calibrate}'s live twin) is reloaded from the store at start and updated with each cell.
 *
 * <p>A cell counted with another number of buckets (an instance configured differently) is kept in the store but
 * not applied, with a warning: its index would name another confidence range here.
 */
public final class CalibrationView implements Processor<String, CalibrationCell, Void, Void> {

    /** The global store: the whole table, on every instance. */
    public static final String STORE = "router-calibration-global";

    private static final Logger log = LoggerFactory.getLogger(CalibrationView.class);

    private final Calibration calibration;
    private KeyValueStore<String, CalibrationCell> cells;

    public CalibrationView(Calibration calibration) {
        this.calibration = calibration;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        cells = context.getStateStore(STORE);
        try (KeyValueIterator<String, CalibrationCell> all = cells.all()) {
            all.forEachRemaining(kv -> apply(kv.value));
        }
    }

    @Override
    public void process(Record<String, CalibrationCell> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            cells.delete(record.key());
            return;
        }
        cells.put(record.key(), record.value());
        apply(record.value());
    }

    private void apply(CalibrationCell cell) {
        if (cell == null) {
            return;
        }
        if (cell.getBuckets() != calibration.buckets() || cell.getBucket() < 0 || cell.getBucket() >= calibration.buckets()) {
            log.warn("calibration cell {}/{} counted with {} buckets, this router uses {}: not applied",
                    cell.getJudgeModel(), cell.getBucket(), cell.getBuckets(), calibration.buckets());
            return;
        }
        calibration.set(cell.getJudgeModel(), cell.getBucket(), cell.getLabels(), cell.getAgreements());
    }
}
