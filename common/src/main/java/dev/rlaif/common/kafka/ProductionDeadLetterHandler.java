package dev.rlaif.common.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The Kafka Streams production exception handler of every topology. An output record that can never be written
 * (larger than the producer's or the topic's limit, or unserializable) would otherwise abort the exactly-once
 * transaction, replace the stream thread and fail again on the same input forever. Here it becomes a dead letter on
 * {@code <source topic>.dlq} (reason, source topic/partition/offset, service) carrying the input record that produced
 * it, and processing goes on. The dead letter itself must fit: it carries the input record when that is at most
 * {@link #maxDeadLetterBytes} (the producer's {@code max.request.size} less 64 KiB for key and headers), else its first
 * {@value #PREFIX_BYTES} bytes and a {@code dlq.truncated} header giving the full length; never the oversized output.
 *
 * <p>Retriable errors are not swallowed: they are retried ({@code RETRY}); any other error fails the task (the
 * thread is replaced and the input is processed again), as before.
 */
public class ProductionDeadLetterHandler implements ProductionExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProductionDeadLetterHandler.class);

    /** Bytes of the input record kept when the whole does not fit in a dead letter. */
    public static final int PREFIX_BYTES = 64 * 1024;
    /** Header naming the full length of an input record cut to a prefix. */
    public static final String TRUNCATED = "dlq.truncated";

    private static final int DEFAULT_MAX_REQUEST = 1024 * 1024;
    private static final int HEADROOM = 64 * 1024;

    private String service = "streams";
    private int maxDeadLetterBytes = DEFAULT_MAX_REQUEST - HEADROOM;

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        if (id != null) {
            service = id.toString();
        }
        Object max = configs.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        if (max == null) {
            max = configs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        if (max != null) {
            maxDeadLetterBytes = Math.max(PREFIX_BYTES, Integer.parseInt(max.toString()) - HEADROOM);
        }
    }

    /** Largest input record carried whole in a dead letter. */
    public int maxDeadLetterBytes() {
        return maxDeadLetterBytes;
    }

    /** True for an error no retry can cure: the record as it stands can never be written. */
    public static boolean neverWritable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                    || t instanceof SerializationException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RetriableException) {
            log.warn("{}: retriable error writing to {}: {}", service, record.topic(), exception.toString());
            return Response.retry();
        }
        if (!neverWritable(exception)) {
            log.error("{}: cannot write to {}; failing the task so the input is processed again", service, record.topic(), exception);
            return Response.fail();
        }
        int size = (record.value() == null ? 0 : record.value().length) + (record.key() == null ? 0 : record.key().length);
        return deadLetter(context, record.topic(), "cannot write a record of " + size + " bytes to " + record.topic()
                + ": " + DeadLetters.describe(exception), exception);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                            SerializationExceptionOrigin origin) {
        if (dev.rlaif.common.consume.FailureClassifier.fromSchemaRegistry(exception)) {
            // the registry, not the record (any registry answer, 404 included: the serializer looks up its own
            // schema): fail the task so the record is written again after the restart (the transaction aborts;
            // nothing is dead-lettered that a retry would have written; ThreadReplacements bounds the retries)
            log.warn("cannot serialize a record for {}: the schema registry failed ({}); failing the task to retry it",
                    record.topic(), DeadLetters.describe(exception));
            return Response.fail();
        }
        return deadLetter(context, record.topic(), "cannot serialize the " + origin.name().toLowerCase() + " of a record for "
                + record.topic() + ": " + DeadLetters.describe(exception), exception);
    }

    private Response deadLetter(ErrorHandlerContext context, String sinkTopic, String reason, Exception exception) {
        // The dead letter goes beside the input that produced the record; without an input (a punctuation), beside
        // the output topic.
        boolean fromInput = context != null && context.topic() != null;
        String topic = fromInput ? context.topic() : sinkTopic;
        int partition = fromInput ? context.partition() : -1;
        long offset = fromInput ? context.offset() : -1;
        byte[] key = fromInput ? context.sourceRawKey() : null;
        byte[] value = fromInput ? context.sourceRawValue() : null;
        log.warn("{}: dead-lettering the input {}-{}@{}: {}", service, topic, partition, offset, reason);
        ProducerRecord<byte[], byte[]> letter = bounded(DeadLetters.of(service, topic, partition, offset, key, value,
                reason, exception), maxDeadLetterBytes);
        return Response.resume(List.of(letter));
    }

    /** The dead letter itself, cut to a prefix of the input when the input would not fit. */
    static ProducerRecord<byte[], byte[]> bounded(ProducerRecord<byte[], byte[]> letter, int maxBytes) {
        byte[] key = letter.key();
        byte[] value = letter.value();
        if (key != null && key.length > PREFIX_BYTES) {
            letter.headers().add(TRUNCATED + ".key", String.valueOf(key.length).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            key = Arrays.copyOf(key, PREFIX_BYTES);
        }
        if (value != null && value.length > maxBytes) {
            letter.headers().add(TRUNCATED, String.valueOf(value.length).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            value = Arrays.copyOf(value, PREFIX_BYTES);
        }
        return new ProducerRecord<>(letter.topic(), letter.partition(), letter.timestamp(), key, value, letter.headers());
    }
}
