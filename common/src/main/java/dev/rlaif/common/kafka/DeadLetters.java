package dev.rlaif.common.kafka;

import dev.rlaif.common.topic.Topic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Builds dead-letter records: the original key and value bytes, untouched, sent to {@code <topic>.dlq}, with
 * headers that say why and where from. Nothing is dropped: a record that cannot be read or processed ends here.
 */
public final class DeadLetters {

    public static final String REASON = "dlq.reason";
    public static final String EXCEPTION = "dlq.exception";
    public static final String SOURCE_TOPIC = "dlq.topic";
    public static final String SOURCE_PARTITION = "dlq.partition";
    public static final String SOURCE_OFFSET = "dlq.offset";
    public static final String SERVICE = "dlq.service";

    private static final int MAX_REASON = 2000;

    private DeadLetters() {
    }

    /** A dead letter for a record read from {@code sourceTopic} at the given partition and offset. */
    public static ProducerRecord<byte[], byte[]> of(String service, String sourceTopic, int partition, long offset,
                                                    byte[] key, byte[] value, String reason, Throwable error) {
        Headers h = new RecordHeaders();
        h.add(REASON, bytes(truncate(reason)));
        if (error != null) {
            h.add(EXCEPTION, bytes(error.getClass().getName()));
        }
        h.add(SOURCE_TOPIC, bytes(sourceTopic));
        h.add(SOURCE_PARTITION, bytes(String.valueOf(partition)));
        h.add(SOURCE_OFFSET, bytes(String.valueOf(offset)));
        h.add(SERVICE, bytes(service));
        return new ProducerRecord<>(sourceTopic + Topic.DLQ_SUFFIX, null, key, value, h);
    }

    /** The text of a header of a dead letter, or null. */
    public static String header(Headers headers, String name) {
        var h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A readable reason from an exception and its causes. */
    public static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < MAX_REASON; t = t.getCause()) {
            if (!sb.isEmpty()) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return truncate(sb.toString());
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
