package dev.rlaif.common.kafka;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;

/**
 * Producer and consumer settings of the project, in one place: idempotent producers with acks=all, and
 * read_committed consumers with manual commits, so that what a service acknowledges is durable and what it
 * reads was committed. Every client also gets the pass-through properties of {@link KafkaSettings#clientProperties()}
 * ({@code RLAIF_KAFKA_*}: TLS, SASL, size limits), which override these defaults.
 */
public final class Clients {

    /** Kafka's default {@code max.request.size}. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

    private Clients() {
    }

    /** Settings of a durable producer: acks=all, idempotent, ordered retries. */
    public static Map<String, Object> producerConfig(KafkaSettings settings, String clientId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        c.putAll(settings.clientProperties());
        return c;
    }

    /** Settings of a consumer in {@code groupId} that reads committed records only and commits by hand. */
    public static Map<String, Object> consumerConfig(KafkaSettings settings, String groupId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.putAll(settings.clientProperties());
        return c;
    }

    /** Settings of an admin client. */
    public static Map<String, Object> adminConfig(KafkaSettings settings) {
        Map<String, Object> c = new HashMap<>();
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.putAll(settings.clientProperties());
        return c;
    }

    /**
     * The largest record a producer of these settings sends: {@code max.request.size} (Kafka's default 1 MiB unless
     * {@code RLAIF_KAFKA_MAX_REQUEST_SIZE} says otherwise).
     */
    public static int maxRequestBytes(KafkaSettings settings) {
        String v = settings.clientProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (v == null) {
            return DEFAULT_MAX_REQUEST_BYTES;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid value for RLAIF_KAFKA_MAX_REQUEST_SIZE: '" + v + "'", e);
        }
    }

    /** A producer of Avro values with string keys. */
    public static <V extends SpecificRecord> KafkaProducer<String, V> avroProducer(KafkaSettings settings, String clientId) {
        return new KafkaProducer<>(producerConfig(settings, clientId), new StringSerializer(),
                AvroSerdes.from(settings).<V>serializer());
    }

    /** A producer of raw bytes (dead letters keep the original bytes). */
    public static KafkaProducer<byte[], byte[]> rawProducer(KafkaSettings settings, String clientId) {
        return new KafkaProducer<>(producerConfig(settings, clientId), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer of one topic's Avro values. */
    public static <V extends SpecificRecord> KafkaConsumer<String, V> avroConsumer(KafkaSettings settings, String groupId,
                                                                                  Topic<V> topic) {
        return new KafkaConsumer<>(consumerConfig(settings, groupId), new StringDeserializer(),
                AvroSerdes.from(settings).<V>deserializer());
    }
}
