package dev.rlaif.labeling.queue;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.EscalationRequest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Reads {@code escalations} into the task store with exactly-once effect: the offsets after each batch are stored
 * in the same database transaction as the batch's tasks, and at start the consumer seeks to the stored offsets
 * (Kafka's own committed offsets are written afterwards only so that the group's lag shows the backlog). A record
 * that cannot be read or is invalid goes to {@code escalations.dlq} with the reason before its offset is stored.
 */
public final class EscalationConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EscalationConsumer.class);
    public static final String SERVICE = "labeling";

    private final KafkaSettings settings;
    private final String groupId;
    private final LabelQueue queue;
    private final TaskDatabase db;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Deserializer<EscalationRequest> deserializer;
    private final Thread thread;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean running = true;

    public EscalationConsumer(KafkaSettings settings, String groupId, LabelQueue queue, TaskDatabase db) {
        this.settings = settings;
        this.groupId = groupId;
        this.queue = queue;
        this.db = db;
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(settings, groupId));
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetters = Clients.rawProducer(settings, groupId + "-dlq");
        this.deserializer = AvroSerdes.from(settings).deserializer();
        this.thread = new Thread(this::run, "labeling-escalations");
    }

    /** Reports this consumer's records and dead letters. */
    public void bind(dev.rlaif.common.metrics.TopicMetrics metrics) {
        metrics.add(consumer).add(deadLetters);
    }

    /** Starts consuming; returns once the partitions are assigned and positioned. */
    public void start() throws InterruptedException {
        thread.start();
        if (!assigned.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not position the escalations consumer within 60 s");
        }
    }

    private void run() {
        String topic = Topics.ESCALATIONS.name();
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<Integer, Long> stored = db.consumedOffsets(topic);
            for (TopicPartition tp : partitions) {
                Long next = stored.get(tp.partition());
                if (next == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, next);
                }
            }
            log.info("consuming {} from stored offsets {}", topic, stored);
            assigned.countDown();
            Map<TopicPartition, Long> shown = new HashMap<>();
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    handle(topic, records);
                }
                showProgress(partitions, shown);
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("escalations consumer woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            log.error("escalations consumer failed; tasks stop arriving until restart", e);
        } finally {
            assigned.countDown();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Commits the consumer's positions to its group, for lag display only (the store's offsets are the truth). The
     * position, not "last record + 1", so the commit markers of transactional producers leave no phantom lag.
     */
    private void showProgress(List<TopicPartition> partitions, Map<TopicPartition, Long> shown) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long position;
            try {
                position = consumer.position(tp, Duration.ZERO);
            } catch (org.apache.kafka.common.errors.TimeoutException notYetKnown) {
                continue; // a lazy seekToBeginning not resolved yet: nothing to show
            }
            if (!Long.valueOf(position).equals(shown.get(tp))) {
                commit.put(tp, new OffsetAndMetadata(position));
            }
        }
        if (!commit.isEmpty()) {
            consumer.commitAsync(commit, (offsets, e) -> {
                if (e != null) {
                    log.debug("committing group offsets (lag display only) failed: {}", e.toString());
                } else {
                    offsets.forEach((tp, o) -> shown.put(tp, o.offset()));
                }
            });
        }
    }

    private void handle(String topic, ConsumerRecords<byte[], byte[]> records) {
        List<EscalationRequest> good = new ArrayList<>();
        Map<Integer, Long> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            next.put(r.partition(), r.offset() + 1);
            EscalationRequest req;
            try {
                req = deserializer.deserialize(topic, r.headers(), r.value());
                String problem = problem(req);
                if (problem != null) {
                    deadLetter(r, problem, null);
                    continue;
                }
            } catch (RuntimeException e) {
                deadLetter(r, "cannot deserialize EscalationRequest: " + DeadLetters.describe(e), e);
                continue;
            }
            good.add(req);
        }
        // Dead letters are acknowledged first, so storing the offset after them can lose none.
        deadLetters.flush();
        int added = queue.ingest(good, topic, next);
        if (added > 0) {
            log.debug("stored {} new tasks", added);
        }
    }

    static String problem(EscalationRequest r) {
        if (r == null) {
            return "null value (tombstone) on escalations";
        }
        if (r.getEscalationId() == null || r.getEscalationId().isBlank()) {
            return "escalation_id is empty";
        }
        if (r.getPair() == null) {
            return "pair is missing";
        }
        if (r.getPair().getA() == null || r.getPair().getB() == null) {
            return "pair.a or pair.b is missing";
        }
        return null;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, Throwable e) {
        log.warn("escalation at {}-{}@{} goes to the DLQ: {}", r.topic(), r.partition(), r.offset(), reason);
        try {
            deadLetters.send(DeadLetters.of(SERVICE, r.topic(), r.partition(), r.offset(), r.key(), r.value(), reason, e)).get();
        } catch (Exception ex) {
            throw new IllegalStateException("cannot write dead letter for " + r.topic() + "-" + r.partition() + "@" + r.offset(), ex);
        }
    }

    public String groupId() {
        return groupId;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadLetters.close(Duration.ofSeconds(5));
    }
}
