package dev.rlaif.router.quality;

import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.List;

/**
 * Adds {@link QualityEvent}s (keyed by judge model and prompt version) to the judge-quality table: the store
 * {@value #STORE} (key → {@link JudgeQuality.Counts}) is the durable copy, reloaded on start; after each event the
 * key's gauges are updated and the alarm checked ({@link JudgeQualityMetrics}).
 */
public final class QualityTableProcessor extends ContextualProcessor<String, QualityEvent, Void, Void> {

    public static final String STORE = "router-quality";

    private final JudgeQualityConfig config;
    private final JudgeQualityMetrics metrics;
    private JudgeQuality quality;
    private KeyValueStore<String, JudgeQuality.Counts> table;

    public QualityTableProcessor(JudgeQualityConfig config, JudgeQualityMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        super.init(context);
        quality = config.newQuality();
        table = context.getStateStore(STORE);
        try (KeyValueIterator<String, JudgeQuality.Counts> all = table.all()) {
            all.forEachRemaining(kv -> {
                int cut = kv.key.indexOf('\u0000');
                if (cut > 0) {
                    quality.restore(new JudgeQuality.Key(kv.key.substring(0, cut), kv.key.substring(cut + 1)), kv.value);
                }
            });
        }
        metrics.publish(quality.summaries());
    }

    @Override
    public void process(Record<String, QualityEvent> record) {
        QualityEvent e = record.value();
        e.applyTo(quality);
        table.put(e.partitionKey(), quality.counts(e.key()));
        metrics.publish(List.of(quality.summary(e.key())));
    }
}
