package dev.rlaif.common.consume;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A decoded record handed to a {@link RecordHandler}.
 *
 * @param raw   the record as read (original key and value bytes, headers, position)
 * @param key   the key as UTF-8 text, or null
 * @param value the decoded value; null only for a tombstone when the runtime lets tombstones through
 */
public record Input<V>(ConsumerRecord<byte[], byte[]> raw, String key, V value) {

    public String topic() {
        return raw.topic();
    }

    public int partition() {
        return raw.partition();
    }

    public long offset() {
        return raw.offset();
    }

    /** {@code topic-partition@offset}, for log lines. */
    public String where() {
        return raw.topic() + "-" + raw.partition() + "@" + raw.offset();
    }
}
