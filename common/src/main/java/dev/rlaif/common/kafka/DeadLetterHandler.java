package dev.rlaif.common.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * The Kafka Streams error handler of every topology: a record that cannot be deserialized, or whose processing
 * throws, is written (original bytes, with reason and source headers) to {@code <source topic>.dlq} inside the
 * same transaction, and processing goes on. No crash loop, no silent drop. A schema registry failure is never the
 * record's: it fails the task (the record is processed again after the thread's replacement, with backoff).
 */
public class DeadLetterHandler implements DeserializationExceptionHandler, ProcessingExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String service = "streams";

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        if (id != null) {
            service = id.toString();
        }
    }

    @Override
    public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context,
                                                                ConsumerRecord<byte[], byte[]> record,
                                                                Exception exception) {
        if (dev.rlaif.common.consume.FailureClassifier.registryUnavailable(exception)) {
            // the registry is down or busy, not the record bad: fail, so the record is read again, not dead-lettered
            log.warn("{}: cannot deserialize {}-{}@{}: the schema registry failed ({}); failing the task to retry it",
                    service, record.topic(), record.partition(), record.offset(), DeadLetters.describe(exception));
            return DeserializationExceptionHandler.Response.fail();
        }
        String reason = "cannot deserialize: " + DeadLetters.describe(exception);
        log.warn("{}: dead-lettering record {}-{}@{}: {}", service, record.topic(), record.partition(), record.offset(), reason);
        return DeserializationExceptionHandler.Response.resume(List.of(DeadLetters.of(service, record.topic(),
                record.partition(), record.offset(), record.key(), record.value(), reason, exception)));
    }

    @Override
    public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
                                                           Exception exception) {
        if (dev.rlaif.common.consume.FailureClassifier.fromSchemaRegistry(exception)) {
            // a processor's forward serializes its output: when that failed because of the registry (unreachable,
            // busy, or another writer's registration of the schema not finished: the fault suite caught the merger
            // dead-lettering its first preference so), the record is fine: fail, so it is processed again
            log.warn("{}: processing {}-{}@{} in {} failed on the schema registry ({}); failing the task to retry it",
                    service, context.topic(), context.partition(), context.offset(), context.processorNodeId(),
                    DeadLetters.describe(exception));
            return ProcessingExceptionHandler.Response.fail();
        }
        String reason = "processing failed in " + context.processorNodeId() + ": " + DeadLetters.describe(exception);
        log.warn("{}: dead-lettering record {}-{}@{}: {}", service, context.topic(), context.partition(), context.offset(), reason);
        return ProcessingExceptionHandler.Response.resume(List.of(DeadLetters.of(service, context.topic(),
                context.partition(), context.offset(), context.sourceRawKey(), context.sourceRawValue(), reason, exception)));
    }
}
