package dev.rlaif.labeling.queue;

import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Labeling's escalation handler on the consumer runtime, without a broker: tasks and offsets stored together, an
 * invalid request dead-lettered before its offset is stored, positions taken from the store, and a failing store
 * stops the consumer (DOWN).
 */
class EscalationHandlerTest {

    private static final String TOPIC = "escalations";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** "esc-N" decodes to a valid request, "blank" to one without an id, anything else fails. */
    private static final Deserializer<EscalationRequest> DECODE = (topic, bytes) -> {
        String s = new String(bytes, StandardCharsets.UTF_8);
        if (s.startsWith("esc-")) {
            return Fixtures.escalation(s, EscalationReason.LOW_CONFIDENCE, 0.5, 1, null);
        }
        if (s.equals("blank")) {
            EscalationRequest r = Fixtures.escalation("x", EscalationReason.LOW_CONFIDENCE, 0.5, 1, null);
            r.setEscalationId("");
            return r;
        }
        throw new IllegalArgumentException("not Avro");
    };
    private static final Serializer<SpecificRecord> NONE = (t, v) -> new byte[0];

    @TempDir
    Path dir;

    private TaskDatabase db;
    private ConsumerRuntime<EscalationRequest> runtime;
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();

    private MockConsumer<byte[], byte[]> consumer() {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
        c.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
        c.updateBeginningOffsets(Map.of(P0, 0L));
        return c;
    }

    private LabelQueue start(MockConsumer<byte[], byte[]> consumer) throws Exception {
        LabelQueue queue = new LabelQueue(db, Duration.ofMinutes(5), (reason, n) -> Math.max(1, n));
        EscalationHandler handler = new EscalationHandler(queue, db);
        runtime = ConsumerRuntime.<EscalationRequest>builder().service("labeling").source(TOPIC, DECODE)
                .consumer(consumer).producer(producer, NONE).handler(handler).offsets(handler).subscribe(false)
                .pollTimeout(Duration.ofMillis(20)).onFatal(fatal::add).build();
        runtime.start();
        return queue;
    }

    private static void add(MockConsumer<byte[], byte[]> c, long offset, String value) {
        c.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, null, value.getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void storesTasksWithTheirOffsetsDeadLettersTheRestAndResumesFromTheStore() throws Exception {
        db = TaskDatabase.open(dir);
        MockConsumer<byte[], byte[]> c = consumer();
        LabelQueue queue = start(c);
        add(c, 0, "esc-1");
        add(c, 1, "garbage");
        add(c, 2, "blank");
        add(c, 3, "esc-2");
        await().atMost(WAIT).until(() -> Long.valueOf(4).equals(db.consumedOffsets(TOPIC).get(0)));
        assertThat(queue.openCount()).isEqualTo(2);
        assertThat(queue.request("esc-1")).isPresent();
        List<ProducerRecord<byte[], byte[]>> dlq = producer.history();
        assertThat(dlq).hasSize(2).allMatch(r -> r.topic().equals(TOPIC + ".dlq"));
        assertThat(DeadLetters.header(dlq.get(0).headers(), DeadLetters.REASON)).contains("not Avro");
        assertThat(DeadLetters.header(dlq.get(1).headers(), DeadLetters.REASON)).isEqualTo("escalation_id is empty");
        assertThat(DeadLetters.header(dlq.get(1).headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("2");
        runtime.close();

        // a restart positions from the store: the next record read is offset 4, nothing is stored twice
        MockConsumer<byte[], byte[]> again = consumer();
        LabelQueue reopened = start(again);
        for (long o = 0; o < 5; o++) {
            add(again, o, "esc-" + (o == 4 ? 3 : 1));
        }
        await().atMost(WAIT).until(() -> Long.valueOf(5).equals(db.consumedOffsets(TOPIC).get(0)));
        assertThat(reopened.openCount()).isEqualTo(3);
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void aFailingStoreStopsTheConsumerAndReportsDown() throws Exception {
        db = TaskDatabase.open(dir);
        MockConsumer<byte[], byte[]> c = consumer();
        start(c);
        add(c, 0, "esc-1");
        await().atMost(WAIT).until(() -> Long.valueOf(1).equals(db.consumedOffsets(TOPIC).get(0)));
        db.close();
        add(c, 1, "esc-2");
        await().atMost(WAIT).until(() -> !fatal.isEmpty());
        assertThat(runtime.health().up()).isFalse();
        db = null;
    }
}
