package dev.rlaif.common.consume;

import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.schema.ChatMessage;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The consumer runtime on MockConsumer/MockProducer: outputs before offsets, out-of-order completion, rewind after
 * a restart, pausing, dead letters, bounded retries of writes (never re-handling), and the fatal stop.
 */
class ConsumerRuntimeTest {

    private static final String TOPIC = "in";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Values are UTF-8 text; "garbage" cannot be decoded. */
    private static final Deserializer<String> TEXT = (topic, bytes) -> {
        String s = new String(bytes, StandardCharsets.UTF_8);
        if (s.startsWith("garbage")) {
            throw new IllegalArgumentException("not a value: " + s);
        }
        return s;
    };
    private static final Serializer<SpecificRecord> OUT = (topic, v) -> v.toString().getBytes(StandardCharsets.UTF_8);

    private final MockConsumer<byte[], byte[]> consumer = consumer();
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
    /** What the runtime committed, per partition (a MockConsumer cannot be asked once closed). */
    private final Map<TopicPartition, Long> commits = new ConcurrentHashMap<>();
    private final OffsetStore recording = new OffsetStore() {
        @Override
        public void onAssigned(Consumer<byte[], byte[]> c, Collection<TopicPartition> partitions) {
        }

        @Override
        public void commit(Consumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
            offsets.forEach((tp, o) -> commits.merge(tp, o.offset(), Math::max));
        }
    };
    private ConsumerRuntime<String> runtime;

    private static MockConsumer<byte[], byte[]> consumer() {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
        c.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
        c.updateBeginningOffsets(Map.of(P0, 0L));
        return c;
    }

    private ConsumerRuntime.Builder<String> builder(RecordHandler<String> handler) {
        return ConsumerRuntime.<String>builder().service("test").source(TOPIC, TEXT).consumer(consumer)
                .producer(producer, OUT).handler(handler).subscribe(false).offsets(recording)
                .retries(3, Duration.ofMillis(10), Duration.ofMillis(50)).pollTimeout(Duration.ofMillis(20))
                .shutdownGrace(Duration.ofMillis(300)).onFatal(fatal::add);
    }

    private ConsumerRuntime<String> start(ConsumerRuntime.Builder<String> b) throws Exception {
        runtime = b.build();
        runtime.start();
        return runtime;
    }

    private void add(long offset, String value) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, offset, ("k" + offset).getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Output> echo(Input<String> in) {
        return List.of(new Output("out", in.key(), new ChatMessage("echo", in.value())));
    }

    private Long committed() {
        return commits.get(P0);
    }

    private List<ProducerRecord<byte[], byte[]>> sent(String topic) {
        return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    private void ackAll() {
        while (producer.completeNext()) {
            // acknowledge everything sent so far
        }
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void offsetsAdvanceOnlyAfterTheOutputsAreAcknowledged() throws Exception {
        start(builder(in -> CompletableFuture.completedFuture(echo(in))));
        add(0, "a");
        add(1, "b");
        await().atMost(WAIT).until(() -> producer.history().size() == 2);
        Thread.sleep(100); // several loop turns: nothing may be committed while the writes are unacknowledged
        assertThat(committed()).isIn(null, 0L);
        ackAll();
        await().atMost(WAIT).until(() -> Long.valueOf(2).equals(committed()));
        assertThat(sent("out")).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("k0", "k1");
        assertThat(runtime.health().up()).isTrue();
    }

    @Test
    void outOfOrderCompletionCommitsTheContiguousRunOnly() throws Exception {
        Map<Long, CompletableFuture<List<Output>>> work = new ConcurrentHashMap<>();
        start(builder(in -> work.computeIfAbsent(in.offset(), o -> new CompletableFuture<>()))
                .producer(new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()), OUT));
        for (long o = 0; o < 4; o++) {
            add(o, "v" + o);
        }
        await().atMost(WAIT).until(() -> work.size() == 4);
        work.get(1L).complete(List.of());
        work.get(3L).complete(List.of());
        Thread.sleep(100);
        assertThat(committed()).isIn(null, 0L); // offset 0 is still in flight
        work.get(0L).complete(List.of());
        await().atMost(WAIT).until(() -> Long.valueOf(2).equals(committed()));
        work.get(2L).complete(List.of());
        await().atMost(WAIT).until(() -> Long.valueOf(4).equals(committed()));
    }

    @Test
    void aRestartRewindsToTheOldestUnfinishedRecordAndSkipsNone() throws Exception {
        Set<Long> hang = Set.of(2L);
        List<Long> handled = new CopyOnWriteArrayList<>();
        start(builder(in -> {
            handled.add(in.offset());
            return hang.contains(in.offset()) ? new CompletableFuture<>() : CompletableFuture.completedFuture(List.of());
        }));
        for (long o = 0; o < 5; o++) {
            add(o, "v" + o);
        }
        await().atMost(WAIT).until(() -> handled.size() == 5);
        await().atMost(WAIT).until(() -> Long.valueOf(2).equals(committed()));
        runtime.close(); // offset 2 never finished: the last commit stays at 2 although 3 and 4 are done
        assertThat(committed()).isEqualTo(2);
        assertThat(runtime.health().up()).isTrue(); // a stop on purpose is not a failure

        MockConsumer<byte[], byte[]> again = consumer();
        List<Long> second = new CopyOnWriteArrayList<>();
        runtime = ConsumerRuntime.<String>builder().service("test").source(TOPIC, TEXT).consumer(again)
                .producer(producer, OUT).subscribe(false).pollTimeout(Duration.ofMillis(20))
                .offsets(OffsetStore.startingAt(Map.of(P0, committed())))
                .handler(in -> {
                    second.add(in.offset());
                    return CompletableFuture.completedFuture(List.of());
                }).build();
        runtime.start();
        for (long o = 0; o < 5; o++) {
            again.addRecord(new ConsumerRecord<>(TOPIC, 0, o, null, ("v" + o).getBytes(StandardCharsets.UTF_8)));
        }
        await().atMost(WAIT).until(() -> second.size() == 3);
        assertThat(second).containsExactly(2L, 3L, 4L);
    }

    @Test
    void pausesThePartitionsWhenTooMuchIsInFlight() throws Exception {
        List<CompletableFuture<List<Output>>> work = new CopyOnWriteArrayList<>();
        start(builder(in -> {
            CompletableFuture<List<Output>> f = new CompletableFuture<>();
            work.add(f);
            return f;
        }).maxInFlight(2));
        add(0, "a");
        add(1, "b");
        await().atMost(WAIT).until(() -> work.size() == 2);
        await().atMost(WAIT).until(() -> consumer.paused().contains(P0));
        add(2, "c");
        Thread.sleep(150);
        assertThat(work).hasSize(2); // paused: the third record is not taken
        assertThat(runtime.inFlight()).isEqualTo(2);
        work.get(0).complete(List.of());
        await().atMost(WAIT).until(() -> work.size() == 3); // resumed below the limit (and paused again at it)
    }

    @Test
    void undecodableAndInvalidRecordsGoToTheDlqWithReasonAndSourceAndTheLoopGoesOn() throws Exception {
        start(builder(in -> {
            if (in.value().equals("invalid")) {
                throw new RecordFailure("field x is missing");
            }
            return CompletableFuture.completedFuture(echo(in));
        }));
        add(0, "garbage!");
        add(1, "invalid");
        add(2, null);
        add(3, "good");
        await().atMost(WAIT).until(() -> producer.history().size() == 4);
        ackAll();
        await().atMost(WAIT).until(() -> Long.valueOf(4).equals(committed()));
        List<ProducerRecord<byte[], byte[]>> dlq = sent(TOPIC + ".dlq");
        assertThat(dlq).hasSize(3);
        ProducerRecord<byte[], byte[]> first = dlq.get(0);
        assertThat(DeadLetters.header(first.headers(), DeadLetters.REASON)).startsWith("cannot deserialize in value").contains("not a value");
        assertThat(DeadLetters.header(first.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPIC);
        assertThat(DeadLetters.header(first.headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(DeadLetters.header(first.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(DeadLetters.header(first.headers(), DeadLetters.SERVICE)).isEqualTo("test");
        assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("garbage!"); // original bytes
        assertThat(DeadLetters.header(dlq.get(1).headers(), DeadLetters.REASON)).isEqualTo("field x is missing");
        assertThat(DeadLetters.header(dlq.get(2).headers(), DeadLetters.REASON)).contains("tombstone");
        assertThat(sent("out")).hasSize(1);
        assertThat(fatal).isEmpty();
    }

    @Test
    void aRecordThatCanNeverBeWrittenIsDeadLettered() throws Exception {
        start(builder(in -> CompletableFuture.completedFuture(echo(in))));
        add(0, "huge");
        await().atMost(WAIT).until(() -> producer.history().size() == 1);
        producer.errorNext(new RecordTooLargeException("1.2 MB"));
        await().atMost(WAIT).until(() -> sent(TOPIC + ".dlq").size() == 1);
        ackAll();
        await().atMost(WAIT).until(() -> Long.valueOf(1).equals(committed()));
        assertThat(DeadLetters.header(sent(TOPIC + ".dlq").get(0).headers(), DeadLetters.REASON))
                .startsWith("an output can never be written").contains("RecordTooLargeException");
    }

    @Test
    void aSchemaRegistryFailureWhileSerializingIsRetriedNotDeadLettered() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        Serializer<SpecificRecord> registryBusyTwice = (topic, v) -> {
            if (calls.incrementAndGet() <= 2) {
                throw new RuntimeException(new java.io.IOException("409 artifact already exists (two writers registered it at once)"));
            }
            return OUT.serialize(topic, v);
        };
        start(builder(in -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(echo(in));
        }).producer(producer, registryBusyTwice));
        add(0, "a");
        await().atMost(WAIT).until(() -> sent("out").size() == 1);
        ackAll();
        await().atMost(WAIT).until(() -> Long.valueOf(1).equals(committed()));
        assertThat(calls).hasValue(3);
        assertThat(handled).hasValue(1);
        assertThat(sent(TOPIC + ".dlq")).isEmpty();
        assertThat(fatal).isEmpty();
    }

    @Test
    void aRecordTheSerializerRejectsIsDeadLettered() throws Exception {
        Serializer<SpecificRecord> rejects = (topic, v) -> {
            throw new IllegalArgumentException("not a valid Avro value");
        };
        start(builder(in -> CompletableFuture.completedFuture(echo(in))).producer(producer, rejects));
        add(0, "a");
        await().atMost(WAIT).until(() -> sent(TOPIC + ".dlq").size() == 1);
        ackAll();
        await().atMost(WAIT).until(() -> Long.valueOf(1).equals(committed()));
        assertThat(DeadLetters.header(sent(TOPIC + ".dlq").get(0).headers(), DeadLetters.REASON)).startsWith("cannot serialize an output");
        assertThat(fatal).isEmpty();
    }

    @Test
    void aFailedWriteIsWrittenAgainWithoutHandlingTheRecordAgain() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        start(builder(in -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(echo(in));
        }));
        add(0, "a");
        await().atMost(WAIT).until(() -> producer.history().size() == 1);
        producer.errorNext(new TimeoutException("not acknowledged"));
        await().atMost(WAIT).until(() -> producer.history().size() == 2); // the same output again, after a backoff
        producer.completeNext();
        await().atMost(WAIT).until(() -> Long.valueOf(1).equals(committed()));
        assertThat(handled).hasValue(1);
        assertThat(fatal).isEmpty();
    }

    @Test
    void writesThatKeepFailingStopTheServiceAfterBoundedRetries() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        start(builder(in -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(echo(in));
        }));
        add(0, "a");
        for (int attempt = 1; attempt <= 3; attempt++) {
            int n = attempt;
            await().atMost(WAIT).until(() -> producer.history().size() == n);
            producer.errorNext(new TimeoutException("broker unreachable"));
        }
        await().atMost(WAIT).until(() -> !fatal.isEmpty());
        await().atMost(WAIT).until(runtime::stopped);
        assertThat(runtime.health().up()).isFalse();
        assertThat(runtime.health().detail()).contains("failed 3 times").contains("broker unreachable");
        assertThat(producer.history()).hasSize(3); // bounded: no fourth attempt, no endless re-handling
        assertThat(handled).hasValue(1);
        assertThat(committed()).isIn(null, 0L); // the record stays unconsumed, to be read again after the restart
    }

    @Test
    void anUnrecoverableWriteErrorStopsTheServiceAtOnce() throws Exception {
        start(builder(in -> CompletableFuture.completedFuture(echo(in))));
        add(0, "a");
        await().atMost(WAIT).until(() -> producer.history().size() == 1);
        producer.errorNext(new TopicAuthorizationException(Set.of("out")));
        await().atMost(WAIT).until(() -> !fatal.isEmpty());
        assertThat(fatal.get(0)).isInstanceOf(TopicAuthorizationException.class);
        assertThat(runtime.health().up()).isFalse();
    }

    @Test
    void retriableHandlerFailuresAreRetriedThenSucceed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        start(builder(in -> {
            if (calls.incrementAndGet() < 3) {
                throw new RetriableFailure("store busy", null);
            }
            return CompletableFuture.completedFuture(List.of());
        }));
        add(0, "a");
        await().atMost(WAIT).until(() -> Long.valueOf(1).equals(committed()));
        assertThat(calls).hasValue(3);
        assertThat(fatal).isEmpty();
    }

    @Test
    void aServiceFailureFromTheHandlerOrItsTickStopsTheLoop() throws Exception {
        start(builder(in -> {
            throw new ServiceFailure("model store unreadable");
        }));
        add(0, "a");
        await().atMost(WAIT).until(() -> !fatal.isEmpty());
        assertThat(runtime.health().detail()).contains("model store unreadable");
        runtime.close();

        fatal.clear();
        MockConsumer<byte[], byte[]> c2 = consumer();
        runtime = ConsumerRuntime.<String>builder().service("ticker").source(TOPIC, TEXT).consumer(c2)
                .producer(producer, OUT).subscribe(false).pollTimeout(Duration.ofMillis(20)).onFatal(fatal::add)
                .handler(new RecordHandler<>() {
                    @Override
                    public CompletableFuture<List<Output>> handle(Input<String> input) {
                        return CompletableFuture.completedFuture(List.of());
                    }

                    @Override
                    public void tick(ConsumerRuntime.Control control) {
                        throw new IllegalStateException("round failed 3 times");
                    }
                }).build();
        runtime.start();
        await().atMost(WAIT).until(() -> !fatal.isEmpty());
        assertThat(runtime.health().up()).isFalse();
        assertThat(runtime.health().detail()).contains("round failed 3 times");
    }

    @Test
    void anExternalOffsetStoreGetsOnlyFinishedOffsetsAndAFailingStoreIsFatal() throws Exception {
        List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();
        AtomicReference<RuntimeException> breakIt = new AtomicReference<>();
        OffsetStore store = new OffsetStore() {
            @Override
            public void onAssigned(Consumer<byte[], byte[]> c, Collection<TopicPartition> partitions) {
                partitions.forEach(tp -> c.seek(tp, 1)); // the store says offset 0 is done
            }

            @Override
            public void commit(Consumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
                if (breakIt.get() != null) {
                    throw breakIt.get();
                }
                commits.add(new HashMap<>(offsets));
            }
        };
        List<Long> seen = new CopyOnWriteArrayList<>();
        start(builder(in -> {
            seen.add(in.offset());
            return CompletableFuture.completedFuture(List.of());
        }).offsets(store));
        add(0, "old");
        add(1, "a");
        add(2, "b");
        await().atMost(WAIT).until(() -> commits.stream().anyMatch(m -> m.get(P0).offset() == 3));
        assertThat(seen).containsExactly(1L, 2L);
        assertThat(commits).allMatch(m -> m.get(P0).offset() <= 3);
        breakIt.set(new IllegalStateException("database closed"));
        add(3, "c");
        await().atMost(WAIT).until(() -> !fatal.isEmpty());
        assertThat(runtime.health().detail()).contains("database closed");
    }

    @Test
    void runToEndReadsEveryPartitionToTheEndOffsetsSeenAtStart() {
        List<String> seen = new ArrayList<>();
        consumer.updateEndOffsets(Map.of(P0, 3L));
        consumer.schedulePollTask(() -> {
            for (long o = 0; o < 3; o++) {
                add(o, o == 1 ? "garbage" : "v" + o);
            }
        });
        ConsumerRuntime<String> scan = builder(in -> {
            seen.add(in.value());
            return CompletableFuture.completedFuture(List.of());
        }).offsets(OffsetStore.startingAt(Map.of())).deadLetterUndecodable(false).build();
        scan.runToEnd(WAIT);
        assertThat(seen).containsExactly("v0", "v2");
        assertThat(producer.history()).isEmpty(); // a read-only scan writes no dead letters

        MockConsumer<byte[], byte[]> stuck = consumer();
        stuck.updateEndOffsets(Map.of(P0, 10L)); // never reachable
        ConsumerRuntime<String> never = ConsumerRuntime.<String>builder().service("scan").source(TOPIC, TEXT)
                .consumer(stuck).producer(producer, OUT).subscribe(false).pollTimeout(Duration.ofMillis(10))
                .offsets(OffsetStore.startingAt(Map.of()))
                .handler(in -> CompletableFuture.completedFuture(List.of())).build();
        assertThatThrownBy(() -> never.runToEnd(Duration.ofMillis(300))).hasMessageContaining("to its end");
    }

    @Test
    void joinsTheGroupAndCommitsOnRevocation() throws Exception {
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
        start(builder(in -> CompletableFuture.completedFuture(List.of())).subscribe(true));
        await().atMost(WAIT).until(() -> consumer.assignment().contains(P0));
        add(0, "a");
        add(1, "b");
        await().atMost(WAIT).until(() -> Long.valueOf(2).equals(committed()));
    }
}
