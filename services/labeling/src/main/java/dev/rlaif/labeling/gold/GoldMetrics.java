package dev.rlaif.labeling.gold;

import dev.rlaif.labeling.queue.LabelQueue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-annotator gold gauges: {@code rlaif_labeling_gold_accuracy}, its 95% Wilson bounds and
 * {@code rlaif_labeling_gold_answers}, tagged by annotator; registered at an annotator's first gold answer (and at
 * start for annotators with answers stored before).
 */
public final class GoldMetrics {

    private final LabelQueue queue;
    private final MeterRegistry metrics;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    public GoldMetrics(LabelQueue queue, MeterRegistry metrics) {
        this.queue = queue;
        this.metrics = metrics;
        queue.goldScores().forEach(s -> register(s.annotatorId()));
    }

    public void register(String annotatorId) {
        if (!registered.add(annotatorId)) {
            return;
        }
        Gauge.builder("rlaif_labeling_gold_accuracy", () -> queue.goldScore(annotatorId).accuracy())
                .tag("annotator", annotatorId).description("share of gold items this annotator answered right")
                .register(metrics);
        Gauge.builder("rlaif_labeling_gold_accuracy_low", () -> queue.goldScore(annotatorId).interval()[0])
                .tag("annotator", annotatorId).description("95% Wilson lower bound of the gold accuracy").register(metrics);
        Gauge.builder("rlaif_labeling_gold_accuracy_high", () -> queue.goldScore(annotatorId).interval()[1])
                .tag("annotator", annotatorId).description("95% Wilson upper bound of the gold accuracy").register(metrics);
        Gauge.builder("rlaif_labeling_gold_answers", () -> queue.goldScore(annotatorId).answered())
                .tag("annotator", annotatorId).description("gold items this annotator answered").register(metrics);
    }
}
