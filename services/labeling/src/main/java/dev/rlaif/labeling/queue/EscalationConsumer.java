package dev.rlaif.labeling.queue;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.Health;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.EscalationRequest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads {@code escalations} into the task store with exactly-once effect: an {@link EscalationHandler} on the
 * {@link ConsumerRuntime}, which is also its offset store (tasks and offsets in one database transaction; at start
 * the consumer seeks to the stored offsets). A record that cannot be read or is invalid goes to
 * {@code escalations.dlq} with the reason, and its offset is stored only once the dead letter is acknowledged. If
 * the store fails, the consumer stops, the service's health turns DOWN and its process exits non-zero.
 */
public final class EscalationConsumer implements AutoCloseable {

    public static final String SERVICE = "labeling";

    private final String groupId;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final ConsumerRuntime<EscalationRequest> runtime;
    private final KafkaConsumer<byte[], byte[]> consumer;

    public EscalationConsumer(KafkaSettings settings, String groupId, LabelQueue queue, TaskDatabase db) {
        this(settings, groupId, queue, db, e -> { });
    }

    /** @param onFatal what to do when the loop stops for good (the service process exits non-zero) */
    public EscalationConsumer(KafkaSettings settings, String groupId, LabelQueue queue, TaskDatabase db,
                              java.util.function.Consumer<Throwable> onFatal) {
        this.groupId = groupId;
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(settings, groupId));
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetters = Clients.rawProducer(settings, groupId + "-dlq");
        EscalationHandler handler = new EscalationHandler(queue, db);
        AvroSerdes serdes = AvroSerdes.from(settings);
        this.runtime = ConsumerRuntime.<EscalationRequest>builder()
                .service(SERVICE)
                .source(Topics.ESCALATIONS.name(), serdes.deserializer())
                .consumer(consumer)
                .producer(deadLetters, serdes.serializer())
                .handler(handler)
                .offsets(handler)
                .subscribe(false)
                .maxInFlight(5000)
                .pollTimeout(Duration.ofMillis(200))
                .shutdownGrace(Duration.ofSeconds(5))
                .onFatal(onFatal)
                .build();
    }

    /** Reports this consumer's records and dead letters. */
    public void bind(dev.rlaif.common.metrics.TopicMetrics metrics) {
        metrics.add(consumer).add(deadLetters);
    }

    /** Starts consuming; returns once the partitions are assigned and positioned. */
    public void start() throws InterruptedException {
        runtime.start();
    }

    public String groupId() {
        return groupId;
    }

    /** DOWN once the consumer stopped on a fatal failure (the task store failed, say). */
    public Health health() {
        return runtime.health();
    }

    @Override
    public void close() {
        runtime.close();
        deadLetters.close(Duration.ofSeconds(5));
    }
}
