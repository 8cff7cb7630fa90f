package dev.rlaif.common.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ProductionDeadLetterHandlerTest {

    record Ctx(byte[] sourceRawKey, byte[] sourceRawValue) implements ErrorHandlerContext {
        public String topic() { return "generations"; }
        public int partition() { return 2; }
        public long offset() { return 41; }
        public Headers headers() { return new RecordHeaders(); }
        public String processorNodeId() { return "write-pairs"; }
        public TaskId taskId() { return new TaskId(0, 2); }
        public long timestamp() { return 0; }
    }

    static ProductionDeadLetterHandler handler() {
        ProductionDeadLetterHandler h = new ProductionDeadLetterHandler();
        h.configure(Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "rlaif-pairing"));
        return h;
    }

    static final ProducerRecord<byte[], byte[]> OUT = new ProducerRecord<>("pairs", "k".getBytes(), new byte[2_000_000]);

    @Test
    void aRecordTooLargeBecomesADeadLetterOfItsInputAndProcessingGoesOn() {
        byte[] input = "the generation".getBytes(StandardCharsets.UTF_8);
        var r = handler().handleError(new Ctx("p-1".getBytes(), input), OUT, new RecordTooLargeException("too big"));
        assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        ProducerRecord<byte[], byte[]> letter = r.deadLetterQueueRecords().get(0);
        assertThat(letter.topic()).isEqualTo("generations.dlq");
        assertThat(letter.value()).isEqualTo(input);
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON)).contains("pairs").contains("too big");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("41");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SERVICE)).isEqualTo("rlaif-pairing");
    }

    @Test
    void theDeadLetterItselfFits() {
        byte[] huge = new byte[1_500_000];
        var r = handler().handleError(new Ctx("p-1".getBytes(), huge), OUT, new RecordTooLargeException("too big"));
        ProducerRecord<byte[], byte[]> letter = r.deadLetterQueueRecords().get(0);
        assertThat(letter.value()).hasSize(ProductionDeadLetterHandler.PREFIX_BYTES);
        assertThat(DeadLetters.header(letter.headers(), ProductionDeadLetterHandler.TRUNCATED)).isEqualTo("1500000");
    }

    @Test
    void retriableErrorsAreRetriedAndOthersFail() {
        assertThat(handler().handleError(new Ctx(null, null), OUT, new NotEnoughReplicasException("x")).result())
                .isEqualTo(ProductionExceptionHandler.Result.RETRY);
        assertThat(handler().handleError(new Ctx(null, null), OUT, new TopicAuthorizationException(Set.of("pairs"))).result())
                .isEqualTo(ProductionExceptionHandler.Result.FAIL);
    }

    @Test
    void aSerializationFailureIsDeadLettered() {
        var r = handler().handleSerializationError(new Ctx(null, "in".getBytes()), new ProducerRecord<>("pairs", "k", "v"),
                new org.apache.kafka.common.errors.SerializationException("no schema"),
                ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
        assertThat(r.result()).isEqualTo(ProductionExceptionHandler.Result.RESUME);
        assertThat(DeadLetters.header(r.deadLetterQueueRecords().get(0).headers(), DeadLetters.REASON)).contains("serialize");
    }

    @Test
    void aSchemaRegistryAnswerWhileSerializingFailsTheTaskInsteadOfDeadLettering() {
        // SeparateProcessesTest caught this: the router's first escalation met a 404 while another writer's
        // registration of the same schema was in flight, and its judgment was dead-lettered for good.
        for (int status : new int[]{404, 409, 503}) {
            Exception e = new org.apache.kafka.common.errors.SerializationException("cannot serialize",
                    new RuntimeException(new com.microsoft.kiota.ApiExceptionBuilder().withMessage("registry said " + status)
                            .withResponseStatusCode(status).build()));
            var r = handler().handleSerializationError(new Ctx(null, "in".getBytes()), new ProducerRecord<>("escalations", "k", "v"),
                    e, ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
            assertThat(r.result()).as("status %d", status).isEqualTo(ProductionExceptionHandler.Result.FAIL);
            assertThat(r.deadLetterQueueRecords()).as("status %d", status).isNullOrEmpty();
        }
    }
}
