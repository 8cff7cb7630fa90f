package dev.rlaif.common.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka's own metric registry, filled as a client fills it, read back as rlaif_<service>_* meters. */
class TopicMetricsTest {

    private static void record(Metrics kafka, String group, String name, Map<String, String> tags, double v, boolean sum) {
        MetricName n = kafka.metricName(name, group, "", tags);
        Sensor s = kafka.sensor(group + name + tags);
        if (kafka.metric(n) == null) {
            s.add(n, sum ? new CumulativeSum() : new Value());
        }
        s.record(v);
    }

    @Test
    void countsRecordsPerTopicAcrossClientsAndDeadLettersAsErrorsOfTheirSource() {
        Metrics consumer = new Metrics();
        Metrics producer = new Metrics();
        Metrics dlq = new Metrics();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TopicMetrics m = new TopicMetrics("judge", registry)) {
            m.add(consumer::metrics).add(producer::metrics).add(dlq::metrics);
            record(consumer, "consumer-fetch-manager-metrics", "records-consumed-total", Map.of("client-id", "c", "topic", "pairs"), 10, true);
            record(consumer, "consumer-fetch-manager-metrics", "records-lag", Map.of("client-id", "c", "topic", "pairs", "partition", "0"), 3, false);
            record(consumer, "consumer-fetch-manager-metrics", "records-lag", Map.of("client-id", "c", "topic", "pairs", "partition", "1"), 4, false);
            record(producer, "producer-topic-metrics", "record-send-total", Map.of("client-id", "p", "topic", "judgments"), 9, true);
            record(dlq, "producer-topic-metrics", "record-send-total", Map.of("client-id", "d", "topic", "pairs.dlq"), 1, true);
            record(producer, "producer-topic-metrics", "record-send-total", Map.of("client-id", "p", "topic", "app-store-changelog"), 50, true);
            m.discover();

            assertThat(registry.get("rlaif_judge_records_in_total").tag("topic", "pairs").functionCounter().count()).isEqualTo(10);
            assertThat(registry.get("rlaif_judge_records_out_total").tag("topic", "judgments").functionCounter().count()).isEqualTo(9);
            assertThat(registry.get("rlaif_judge_errors_total").tag("topic", "pairs").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("rlaif_judge_consumer_lag").tag("topic", "pairs").gauge().value()).isEqualTo(7);
            assertThat(registry.find("rlaif_judge_records_out_total").tag("topic", "pairs.dlq").meter()).as("dead letters are errors, not output").isNull();
            assertThat(registry.find("rlaif_judge_records_out_total").tag("topic", "app-store-changelog").meter()).as("Streams plumbing").isNull();

            // counts keep moving after registration: the meters read the clients at scrape time
            record(consumer, "consumer-fetch-manager-metrics", "records-consumed-total", Map.of("client-id", "c", "topic", "pairs"), 5, true);
            assertThat(registry.get("rlaif_judge_records_in_total").tag("topic", "pairs").functionCounter().count()).isEqualTo(15);
        }
    }
}
