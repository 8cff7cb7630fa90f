package dev.rlaif.cli.dlq;

import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.topic.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One record of a {@code <topic>.dlq} topic, read through its {@link DeadLetters} headers.
 *
 * @param dlqTopic        the dead-letter topic
 * @param partition       its partition there
 * @param offset          its offset there
 * @param time            when it was dead-lettered (the record's timestamp)
 * @param reason          {@code dlq.reason}
 * @param exception       {@code dlq.exception}, or null
 * @param service         {@code dlq.service}
 * @param sourceTopic     {@code dlq.topic} (the topic name without {@code .dlq} when the header is missing)
 * @param sourcePartition {@code dlq.partition}, or -1
 * @param sourceOffset    {@code dlq.offset}, or -1
 * @param key             the original key bytes
 * @param value           the original value bytes
 */
public record DeadLetter(String dlqTopic, int partition, long offset, Instant time, String reason, String exception,
                         String service, String sourceTopic, int sourcePartition, long sourceOffset, byte[] key,
                         byte[] value) {

    public static DeadLetter of(ConsumerRecord<byte[], byte[]> r) {
        String source = DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC);
        if (source == null) {
            source = r.topic().endsWith(Topic.DLQ_SUFFIX)
                    ? r.topic().substring(0, r.topic().length() - Topic.DLQ_SUFFIX.length()) : r.topic();
        }
        return new DeadLetter(r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()),
                orEmpty(DeadLetters.header(r.headers(), DeadLetters.REASON)),
                DeadLetters.header(r.headers(), DeadLetters.EXCEPTION),
                orEmpty(DeadLetters.header(r.headers(), DeadLetters.SERVICE)), source,
                number(DeadLetters.header(r.headers(), DeadLetters.SOURCE_PARTITION)).intValue(),
                number(DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET)), r.key(), r.value());
    }

    /** The key as text, or null. */
    public String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** {@code topic-partition@offset} of the source record. */
    public String source() {
        return sourceTopic + "-" + sourcePartition + "@" + sourceOffset;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static Long number(String s) {
        try {
            return s == null ? -1L : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1L;
        }
    }
}
