package dev.rlaif.common.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One service's records per topic, named the same way in every service, read from its Kafka clients' own metrics
 * (so nothing on the hot path counts twice):
 * <ul>
 *   <li>{@code rlaif_<service>_records_in_total{topic}}: records consumed (consumer {@code records-consumed-total});</li>
 *   <li>{@code rlaif_<service>_records_out_total{topic}}: records sent (producer {@code record-send-total}), dead
 *       letters excluded;</li>
 *   <li>{@code rlaif_<service>_errors_total{topic}}: records of {@code topic} sent to {@code topic.dlq}, plus sends
 *       to {@code topic} that failed (producer {@code record-error-total});</li>
 *   <li>{@code rlaif_<service>_consumer_lag{topic}}: records behind the end, summed over partitions
 *       ({@code records-lag}).</li>
 * </ul>
 * Topics show up in a client's metrics when it first touches them, so the meters are (re)discovered every few
 * seconds. Clients are added as a service creates them; a Streams application adds {@code KafkaStreams::metrics}.
 */
public final class TopicMetrics implements AutoCloseable {

    private static final String DLQ = ".dlq";

    private final String prefix;
    private final MeterRegistry registry;
    private final List<Supplier<Map<MetricName, ? extends Metric>>> sources = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> binders = new CopyOnWriteArrayList<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService discovery;

    public TopicMetrics(String service, MeterRegistry registry) {
        this.prefix = "rlaif_" + service + "_";
        this.registry = registry;
        this.discovery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, service + "-topic-metrics");
            t.setDaemon(true);
            return t;
        });
        discovery.scheduleWithFixedDelay(this::discover, 1, 5, TimeUnit.SECONDS);
    }

    /** Metric-name prefix, {@code rlaif_<service>_}. */
    public String prefix() {
        return prefix;
    }

    /** Adds a source of Kafka metrics (a Streams application's {@code metrics()}). */
    public TopicMetrics add(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        sources.add(metrics);
        discover();
        return this;
    }

    /** Adds a consumer, and binds its full client metrics too (Micrometer's {@code kafka_consumer_*}). */
    public TopicMetrics add(Consumer<?, ?> consumer) {
        KafkaClientMetrics all = new KafkaClientMetrics(consumer);
        all.bindTo(registry);
        binders.add(all);
        return add(consumer::metrics);
    }

    /** Adds a producer, and binds its full client metrics too (Micrometer's {@code kafka_producer_*}). */
    public TopicMetrics add(Producer<?, ?> producer) {
        KafkaClientMetrics all = new KafkaClientMetrics(producer);
        all.bindTo(registry);
        binders.add(all);
        return add(producer::metrics);
    }

    /** Registers meters for topics seen since the last call. */
    void discover() {
        for (Supplier<Map<MetricName, ? extends Metric>> s : sources) {
            Map<MetricName, ? extends Metric> metrics;
            try {
                metrics = s.get();
            } catch (RuntimeException e) {
                continue;   // a closed client
            }
            for (MetricName n : metrics.keySet()) {
                String topic = n.tags().get("topic");
                if (topic == null || internal(topic)) {
                    continue;
                }
                switch (n.name()) {
                    case "records-consumed-total" -> counter("records_in_total", topic, "consumer-fetch-manager-metrics", "records-consumed-total");
                    case "record-send-total" -> {
                        if (topic.endsWith(DLQ)) {
                            errors(topic.substring(0, topic.length() - DLQ.length()));
                        } else {
                            counter("records_out_total", topic, "producer-topic-metrics", "record-send-total");
                        }
                    }
                    case "record-error-total" -> {
                        if (!topic.endsWith(DLQ)) {
                            errors(topic);
                        }
                    }
                    case "records-lag" -> lag(topic);
                    default -> { }
                }
            }
        }
    }

    /** Kafka Streams' own changelog and repartition topics: state plumbing, not the pipeline's records. */
    static boolean internal(String topic) {
        return topic.endsWith("-changelog") || topic.endsWith("-repartition")
                || topic.endsWith("-changelog.dlq") || topic.endsWith("-repartition.dlq");
    }

    private void counter(String name, String topic, String group, String metric) {
        if (registered.add(name + "|" + topic)) {
            FunctionCounter.builder(prefix + name, this, t -> t.sum(group, metric, topic))
                    .tag("topic", topic).register(registry);
        }
    }

    private void errors(String topic) {
        if (registered.add("errors_total|" + topic)) {
            FunctionCounter.builder(prefix + "errors_total", this,
                            t -> t.sum("producer-topic-metrics", "record-send-total", topic + DLQ)
                                    + t.sum("producer-topic-metrics", "record-error-total", topic))
                    .description("records that went to the topic's DLQ or failed to be sent")
                    .tag("topic", topic).register(registry);
        }
    }

    private void lag(String topic) {
        if (registered.add("lag|" + topic)) {
            Gauge.builder(prefix + "consumer_lag", this, t -> t.sumPartitions("records-lag", topic))
                    .description("records behind the end of the topic, summed over assigned partitions")
                    .tag("topic", topic).register(registry);
        }
    }

    /** Sum of one per-topic metric over every client (several consumers or producers may serve one service). */
    double sum(String group, String metric, String topic) {
        double total = 0;
        for (Supplier<Map<MetricName, ? extends Metric>> s : sources) {
            try {
                for (var e : s.get().entrySet()) {
                    MetricName n = e.getKey();
                    if (n.name().equals(metric) && n.group().equals(group) && topic.equals(n.tags().get("topic"))
                            && !n.tags().containsKey("partition")) {
                        total += value(e.getValue());
                    }
                }
            } catch (RuntimeException ignored) {
                // a closed client: its counts are gone
            }
        }
        return total;
    }

    private double sumPartitions(String metric, String topic) {
        double total = 0;
        for (Supplier<Map<MetricName, ? extends Metric>> s : sources) {
            try {
                for (var e : s.get().entrySet()) {
                    MetricName n = e.getKey();
                    if (n.name().equals(metric) && topic.equals(n.tags().get("topic")) && n.tags().containsKey("partition")) {
                        total += Math.max(0, value(e.getValue()));
                    }
                }
            } catch (RuntimeException ignored) {
                // a closed client
            }
        }
        return total;
    }

    private static double value(Metric m) {
        Object v = m.metricValue();
        return v instanceof Number num && !Double.isNaN(num.doubleValue()) ? num.doubleValue() : 0;
    }

    @Override
    public void close() {
        discovery.shutdownNow();
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }
}
