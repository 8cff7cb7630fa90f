package dev.rlaif.common.kafka;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.consume.FailureClassifier;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads a topic from its beginning to its current end, committed records only, without joining a group:
 * what the demo's summary counts and what broker-backed tests assert on.
 */
public final class TopicReader {

    private TopicReader() {
    }

    /**
     * Every committed record of an Avro topic, as of now. Records that do not deserialize (a producer wrote garbage
     * straight to the topic) are left out here; the consuming service dead-letters them. A record that cannot be read
     * because the schema registry did not answer fails the read, as does a read that does not reach the topic's end
     * within 60 s: a count is exact or it is an error.
     */
    public static <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(KafkaSettings settings, Topic<V> topic) {
        Deserializer<V> values = AvroSerdes.from(settings).deserializer();
        StringDeserializer keys = new StringDeserializer();
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readRaw(settings, topic.name())) {
            V value;
            try {
                value = r.value() == null ? null : values.deserialize(r.topic(), r.headers(), r.value());
            } catch (RuntimeException e) {
                if (FailureClassifier.registryUnavailable(e)) {
                    throw new IllegalStateException("cannot read " + r.topic() + "-" + r.partition() + " at offset " + r.offset()
                            + ": " + e, e);
                }
                continue;
            }
            out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                    r.serializedKeySize(), r.serializedValueSize(), keys.deserialize(r.topic(), r.key()), value,
                    r.headers(), r.leaderEpoch()));
        }
        return out;
    }

    /** Every committed record of a topic as raw bytes (dead-letter topics). */
    public static List<ConsumerRecord<byte[], byte[]>> readRaw(KafkaSettings settings, String topic) {
        return readAll(settings, topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Number of committed records in a topic, read to its end. */
    public static long count(KafkaSettings settings, String topic) {
        return readRaw(settings, topic).size();
    }

    private static <K, V> List<ConsumerRecord<K, V>> readAll(KafkaSettings settings, String topic,
                                                            Deserializer<K> keys, Deserializer<V> values) {
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(settings, "reader-" + UUID.randomUUID()));
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read " + out.size() + " records of " + topic + " in 60 s without reaching its end "
                            + end + ": a partial count is no count");
                }
                for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
