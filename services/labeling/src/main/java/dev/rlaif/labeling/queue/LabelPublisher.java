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
import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.consume.OffsetStore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes accepted labels to {@code human-labels} (acks=all, idempotent producer) and records the acknowledgement in
 * the task store: the store is the outbox. A label stored but not acknowledged (the process died in between) is
 * re-sent at start, unless {@code human-labels} already holds it past the last acknowledged offset, so a restart
 * neither loses nor duplicates a label. The scan of {@code human-labels} is a read-only run of the
 * {@link ConsumerRuntime} ({@link ConsumerRuntime#runToEnd}).
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
        Map<Integer, Long> acked = db.publishedOffsets(topic);
        // a read-only scan on the consumer runtime: from the last acknowledged offsets to the end offsets seen at
        // the start; undecodable records are the merger's to dead-letter, the scan skips them
        ConsumerRuntime.<HumanLabel>builder()
                .service("labeling-recovery")
                .source(topic, AvroSerdes.from(settings).<HumanLabel>deserializer())
                .consumer(new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
                .subscribe(false)
                .tombstones(true)
                .deadLetterUndecodable(false)
                .pollTimeout(Duration.ofMillis(200))
                .offsets(new OffsetStore() {
                    @Override
                    public void onAssigned(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> c,
                                           java.util.Collection<TopicPartition> parts) {
                        for (TopicPartition tp : parts) {
                            Long at = acked.get(tp.partition());
                            if (at == null) {
                                c.seekToBeginning(List.of(tp));
                            } else {
                                c.seek(tp, at);
                            }
                        }
                    }

                    @Override
                    public void commit(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> c,
                                       Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> o, boolean sync) {
                    }
                })
                .handler(in -> {
                    if (in.value() != null && wanted.contains(in.value().getLabelId())) {
                        alreadyThere.add(in.value().getLabelId());
                        found.merge(in.partition(), in.offset() + 1, Math::max);
                    }
                    return CompletableFuture.completedFuture(List.of());
                })
                .build()
                .runToEnd(Duration.ofSeconds(60));
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
