package dev.rlaif.common.kafka;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterHandlerTest {

    static DeadLetterHandler handler() {
        DeadLetterHandler h = new DeadLetterHandler();
        h.configure(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "rlaif-merger"));
        return h;
    }

    static final Record<String, String> IN = new Record<>("p-1", "label", 0L);

    @Test
    void aSchemaRegistryFailureWhileAProcessorForwardsFailsTheTaskInsteadOfDeadLettering() {
        // the fault suite caught this: a restarted merger's first preference met a registry error while its output
        // was serialized inside forward(), and the AI label was dead-lettered for good
        for (int status : new int[]{404, 409, 503}) {
            Exception e = new StreamsException("Unable to serialize record",
                    new RuntimeException(new com.microsoft.kiota.ApiExceptionBuilder().withMessage("registry said " + status)
                            .withResponseStatusCode(status).build()));
            var r = handler().handleError(new ProductionDeadLetterHandlerTest.Ctx("p-1".getBytes(), "in".getBytes()), IN, e);
            assertThat(r.result()).as("status %d", status).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
            assertThat(r.deadLetterQueueRecords()).as("status %d", status).isNullOrEmpty();
        }
    }

    @Test
    void aRecordThatBreaksItsProcessorIsDeadLetteredAndProcessingGoesOn() {
        var r = handler().handleError(new ProductionDeadLetterHandlerTest.Ctx("p-1".getBytes(), "in".getBytes()), IN,
                new IllegalArgumentException("pair without responses"));
        assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        assertThat(r.deadLetterQueueRecords()).singleElement().satisfies(d -> assertThat(d.topic()).isEqualTo("generations.dlq"));
    }
}
