package dev.rlaif.labeling.queue;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.store.StoredLabel;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.LabelSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes accepted labels to {@code human-labels} (acks=all, idempotent producer) and records the acknowledgement in
 * the task store: the store is the outbox. A label stored but not acknowledged (the process died in between) is
 * re-sent at start, unless {@code human-labels} already holds it past the last acknowledged offset, so a restart
 * neither loses nor duplicates a label.
 */
public final class LabelPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LabelPublisher.class);

    private final KafkaSettings settings;
    private final LabelQueue queue;
    private final TaskDatabase db;
    private final KafkaProducer<String, HumanLabel> producer;

    public LabelPublisher(KafkaSettings settings, LabelQueue queue, TaskDatabase db, String clientId) {
        this.settings = settings;
        this.queue = queue;
        this.db = db;
        // acks=all and idempotent (the project's producer settings), but no linger: an annotator waits for this send.
        Map<String, Object> config = new HashMap<>(Clients.producerConfig(settings, clientId));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), AvroSerdes.from(settings).<HumanLabel>serializer());
    }

    /** Reports this producer's records. */
    public void bind(dev.rlaif.common.metrics.TopicMetrics metrics) {
        metrics.add(producer);
    }

    /** The record of a stored label. */
    public static HumanLabel toRecord(StoredLabel l) {
        return HumanLabel.newBuilder()
                .setLabelId(l.labelId())
                .setPairId(l.pairId())
                .setAnnotatorId(l.annotatorId())
                .setChoice(Choice.valueOf(l.choice()))
                .setRationale(l.rationale())
                .setEscalationId(l.escalationId())
                .setSource(LabelSource.valueOf(l.source()))
                .setTimeSpentMs(l.timeSpentMs())
                .setCreatedAt(Instant.ofEpochMilli(l.createdAt()))
                .build();
    }

    /**
     * Sends the label and waits for the broker's acknowledgement, then marks it published.
     *
     * @throws IllegalStateException when the broker did not acknowledge in time (the label stays in the outbox)
     */
    public void publish(StoredLabel label, Duration timeout) {
        try {
            RecordMetadata md = producer.send(new ProducerRecord<>(Topics.HUMAN_LABELS.name(), label.pairId(), toRecord(label)))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            queue.markPublished(List.of(label.labelId()), md.topic(), Map.of(md.partition(), md.offset() + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing label " + label.labelId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("human-labels did not acknowledge label " + label.labelId() + ": " + e, e);
        }
    }

    /**
     * Re-sends labels left in the outbox: first reads {@code human-labels} from the last acknowledged offsets to its
     * end, marks the labels found there published, and sends the rest. Returns how many were sent.
     */
    public int recover() {
        List<StoredLabel> pending = queue.unpublished();
        if (pending.isEmpty()) {
            return 0;
        }
        String topic = Topics.HUMAN_LABELS.name();
        Set<String> wanted = new HashSet<>();
        pending.forEach(l -> wanted.add(l.labelId()));
        Map<Integer, Long> found = new HashMap<>();
        Set<String> alreadyThere = new HashSet<>();
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(settings, "labeling-recovery-" + UUID.randomUUID()));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Deserializer<HumanLabel> values = AvroSerdes.from(settings).deserializer();
        try (KafkaConsumer<String, HumanLabel> c = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            Map<Integer, Long> acked = db.publishedOffsets(topic);
            for (TopicPartition tp : parts) {
                c.seek(tp, acked.getOrDefault(tp.partition(), 0L));
            }
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read human-labels to its end within 60 s");
                }
                for (ConsumerRecord<String, HumanLabel> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() != null && wanted.contains(r.value().getLabelId())) {
                        alreadyThere.add(r.value().getLabelId());
                        found.merge(r.partition(), r.offset() + 1, Math::max);
                    }
                }
            }
        }
        if (!alreadyThere.isEmpty()) {
            queue.markPublished(alreadyThere, topic, found);
        }
        int sent = 0;
        for (StoredLabel l : pending) {
            if (!alreadyThere.contains(l.labelId())) {
                publish(l, Duration.ofSeconds(60));
                sent++;
            }
        }
        log.info("outbox recovery: {} labels were already on {}, {} re-sent", alreadyThere.size(), topic, sent);
        return sent;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
