package dev.rlaif.rm.versions;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.RewardModelVersion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds {@code model-versions} to a {@link ModelReloader}: every reader instance reads the whole topic (no consumer
 * group: each instance must see every version), from the beginning at start so the newest published version is
 * found, and on a timer retries a refused version and looks at {@code CURRENT} ({@link ModelReloader#recheck()}). Reads {@code model-versions}; writes nothing.
 *
 * <p>An undecodable event is logged with its partition and offset and skipped: it stays in the topic (this is a
 * broadcast reader, not its owner), and the next published version, or the directory's {@code CURRENT} at the next
 * start, still reaches the reader. A broker that is unreachable only delays reloads; the served model stays.
 */
public final class ModelVersionsListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelVersionsListener.class);

    /** How often a refused version is tried again (and CURRENT looked at) unless told otherwise. */
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(5);

    /** {@code RLAIF_MODELS_RECHECK}: how often a refused version is retried and CURRENT checked (default 5 s). */
    public static Duration recheckInterval(dev.rlaif.common.config.Env env) {
        Duration d = env.duration("RLAIF_MODELS_RECHECK", DEFAULT_RECHECK);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("RLAIF_MODELS_RECHECK must be positive, was " + d);
        }
        return d;
    }

    private final KafkaSettings kafka;
    private final ModelReloader reloader;
    private final Duration retryEvery;
    private final String clientId;
    private volatile boolean running;
    private volatile boolean caughtUp;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;
    private java.util.concurrent.ScheduledExecutorService timer;

    /**
     * @param retryEvery how often a refused version is tried again
     * @param clientId   Kafka client id (the service's name)
     */
    public ModelVersionsListener(KafkaSettings kafka, ModelReloader reloader, Duration retryEvery, String clientId) {
        this.kafka = kafka;
        this.reloader = reloader;
        this.retryEvery = retryEvery;
        this.clientId = clientId;
    }

    /** Loads the directory's current version, then follows the topic on a thread of its own. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        reloader.bootstrap();
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(kafka, clientId));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-model-versions");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, clientId + "-model-versions");
        thread.setDaemon(true);
        thread.start();
        // on its own timer, so a broker that cannot be reached delays nothing the directory can tell
        timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, clientId + "-model-recheck");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                reloader.recheck();
            } catch (RuntimeException e) {
                log.warn("model recheck failed: {}", e.toString());
            }
        }, retryEvery.toMillis(), retryEvery.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Whether the topic has been read to its end at least once. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        String topic = Topics.MODEL_VERSIONS.name();
        Deserializer<RewardModelVersion> avro = AvroSerdes.from(kafka).deserializer();
        try {
            List<TopicPartition> parts = List.of();
            while (running && parts.isEmpty()) {
                try {
                    parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).toList();
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    log.warn("{} not reachable yet ({}); serving {} meanwhile", topic, e.getMessage(),
                            reloader.version().orElse("no model"));
                }
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        continue;
                    }
                    RewardModelVersion event;
                    try {
                        event = avro.deserialize(r.topic(), r.headers(), r.value());
                    } catch (RuntimeException e) {
                        log.warn("undecodable event at {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), e.toString());
                        continue;
                    }
                    reloader.offer(event);
                }
                if (!caughtUp) {
                    caughtUp = atEnd(parts);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("model-versions listener stopped; serving {} until restart", reloader.version().orElse("no model"), e);
        }
    }

    private boolean atEnd(List<TopicPartition> parts) {
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(5));
        return parts.stream().allMatch(p -> consumer.position(p) >= end.get(p));
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t == null) {
            return;
        }
        timer.shutdownNow();
        consumer.wakeup();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
