package dev.rlaif.gateway.ingest;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Publishes a request's records all-or-nothing. Records are first serialized (schema registry included), so a
 * record that cannot be written fails the request before anything is sent; then the whole batch goes to Kafka in
 * one transaction (acks=all, idempotent), committed before the gateway answers 202. A failure aborts the
 * transaction: read_committed consumers (every consumer of the pipeline) never see any record of a batch that got a
 * 5xx. A small pool of transactional producers lets requests publish concurrently.
 *
 * <p>One case is in doubt: a commit that times out may still complete on the broker. The gateway then answers 503
 * and the client retries; the records carry the same generation ids, and pairing never pairs an id twice.
 */
public final class RecordPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RecordPublisher.class);

    /** A record ready to send: its topic, key and serialized value. */
    public record Prepared(String topic, String key, byte[] value) {
        /** Bytes of key and value, as Kafka's size limits count them (less a few bytes of framing). */
        public long size() {
            return value.length + (key == null ? 0 : key.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    private final KafkaSettings settings;
    private final Duration timeout;
    private final Serializer<SpecificRecord> serializer;
    private final BlockingQueue<Slot> pool;
    private final List<Slot> slots = new ArrayList<>();

    /**
     * @param producers transactional producers in the pool (requests publishing at the same time)
     */
    public RecordPublisher(KafkaSettings settings, String clientId, Duration timeout, int producers) {
        this.settings = settings;
        this.timeout = timeout;
        this.serializer = AvroSerdes.from(settings).serializer();
        this.pool = new ArrayBlockingQueue<>(producers);
        String base = clientId + "-" + UUID.randomUUID();
        for (int i = 0; i < producers; i++) {
            Slot s = new Slot(base + "-" + i);
            slots.add(s);
            pool.add(s);
        }
    }

    public RecordPublisher(KafkaSettings settings, String clientId, Duration timeout) {
        this(settings, clientId, timeout, 4);
    }

    /**
     * Reports the pool's records per topic as {@code rlaif_<service>_records_out_total} (close it with the
     * publisher); producers the pool (re)creates later are counted too.
     */
    public dev.rlaif.common.metrics.TopicMetrics metrics(String service, io.micrometer.core.instrument.MeterRegistry registry) {
        return new dev.rlaif.common.metrics.TopicMetrics(service, registry).add(() -> {
            java.util.Map<org.apache.kafka.common.MetricName, org.apache.kafka.common.Metric> all = new java.util.HashMap<>();
            for (Slot slot : slots) {
                KafkaProducer<String, byte[]> p = slot.producer;
                if (p != null) {
                    all.putAll(p.metrics());
                }
            }
            return all;
        });
    }

    /**
     * Serializes every record (registering its schema when needed); nothing is sent.
     *
     * @throws PublishException when the schema registry cannot be reached
     */
    public <V extends SpecificRecord> List<Prepared> serialize(Topic<V> topic, List<V> records, Function<V, String> key)
            throws PublishException {
        List<Prepared> out = new ArrayList<>(records.size());
        try {
            for (V r : records) {
                out.add(new Prepared(topic.name(), key.apply(r), serializer.serialize(topic.name(), r)));
            }
        } catch (RuntimeException e) {
            throw new PublishException("cannot serialize the records (schema registry unavailable?): " + e.getMessage(), e);
        }
        return out;
    }

    /** Serializes and publishes in one transaction (see {@link #publish(List)}). */
    public <V extends SpecificRecord> void publish(Topic<V> topic, List<V> records, Function<V, String> key)
            throws PublishException {
        publish(serialize(topic, records, key));
    }

    /**
     * Sends every record in one Kafka transaction and returns once it is committed; on any failure the transaction
     * is aborted and nothing becomes visible to read_committed consumers.
     */
    public void publish(List<Prepared> records) throws PublishException {
        Slot slot;
        try {
            slot = pool.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while waiting for a producer", e);
        }
        if (slot == null) {
            throw new PublishException("all " + slots.size() + " producers busy for " + timeout, null);
        }
        try {
            slot.publish(records);
        } finally {
            pool.add(slot);
        }
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            s.close(Duration.ofSeconds(5));
        }
    }

    /** One transactional producer; replaced (same transactional id, which fences the old one) after an error. */
    private final class Slot {
        private final String transactionalId;
        private KafkaProducer<String, byte[]> producer;

        Slot(String transactionalId) {
            this.transactionalId = transactionalId;
        }

        void publish(List<Prepared> records) throws PublishException {
            boolean begun = false;
            try {
                if (producer == null) {
                    Map<String, Object> config = Clients.producerConfig(settings, transactionalId);
                    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
                    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
                    config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
                    producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
                    producer.initTransactions();
                }
                producer.beginTransaction();
                begun = true;
                for (Prepared r : records) {
                    producer.send(new ProducerRecord<>(r.topic(), r.key(), r.value()));
                }
                producer.commitTransaction();
            } catch (RuntimeException e) {
                log.warn("publishing {} records failed; aborting the transaction: {}", records.size(), e.toString());
                if (begun) {
                    try {
                        producer.abortTransaction();
                    } catch (RuntimeException abort) {
                        log.warn("abort failed, replacing the producer: {}", abort.toString());
                        close(Duration.ZERO);
                    }
                } else {
                    close(Duration.ZERO);
                }
                throw new PublishException("Kafka did not take the records: " + e.getMessage(), e);
            }
        }

        void close(Duration wait) {
            if (producer != null) {
                try {
                    producer.close(wait);
                } catch (RuntimeException e) {
                    log.debug("closing producer {}: {}", transactionalId, e.toString());
                }
                producer = null;
            }
        }
    }

    /** Kafka (or the schema registry) did not take the records: nothing was written; the client should retry (503). */
    public static final class PublishException extends Exception {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
