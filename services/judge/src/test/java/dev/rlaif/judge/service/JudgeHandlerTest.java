package dev.rlaif.judge.service;

import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.consume.Input;
import dev.rlaif.common.consume.Output;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.judge.Fixtures;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The judge as a handler, without a broker: its outputs, its failure mapping, and the runtime's write retries. */
class JudgeHandlerTest {

    private final ComparisonPair pair = Fixtures.pair("Q?", "g1", "a", "g2", "b");

    private static Judgment judgment(ComparisonPair p, Verdict v) {
        return Judgment.newBuilder().setPairId(p.getPairId()).setPair(p).setJudgeType(JudgeType.LLM)
                .setJudgeModel("m").setVerdict(v).setPA(0.9).setConfidence(0.9).setPositionConsistent(true)
                .setVotes(new VoteCounts(8, 0, 0, 0)).setCreatedAt(Instant.EPOCH).build();
    }

    private static PairJudge judgeOf(java.util.function.Function<ComparisonPair, CompletableFuture<JudgeResult>> f) {
        return new PairJudge() {
            @Override
            public CompletableFuture<JudgeResult> judge(ComparisonPair p) {
                return f.apply(p);
            }

            @Override
            public String describe() {
                return "test judge";
            }

            @Override
            public void close() {
            }
        };
    }

    private static Input<ComparisonPair> input(ComparisonPair p) {
        return new Input<>(new ConsumerRecord<>("pairs", 0, 0, null, new byte[0]), p.getPairId(), p);
    }

    @Test
    void writesCritiquesThenTheJudgmentKeyedForDeduplication() throws Exception {
        Critique c = Critique.newBuilder().setCritiqueId("c1").setGenerationId("g1").setPromptId("p")
                .setJudgeModel("m").setPromptVersion("critique-v1").setCreatedAt(Instant.EPOCH)
                .setInstructionFollowing(new dev.rlaif.schema.CritiqueAspect(7, "")).setCorrectness(new dev.rlaif.schema.CritiqueAspect(7, ""))
                .setStyle(new dev.rlaif.schema.CritiqueAspect(7, "")).build();
        JudgeHandler h = new JudgeHandler(judgeOf(p -> CompletableFuture.completedFuture(
                new JudgeResult(judgment(p, Verdict.A), List.of(c)))), new SimpleMeterRegistry(), Clock.systemUTC());
        List<Output> out = h.handle(input(pair)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(out).extracting(Output::topic).containsExactly(Topics.CRITIQUES.name(), Topics.JUDGMENTS.name());
        assertThat(out).extracting(Output::key).containsExactly("g1", pair.getPairId());
    }

    @Test
    void aJudgeThatFailsGivesAnUnavailableJudgmentNeverALostPair() throws Exception {
        JudgeHandler thrown = new JudgeHandler(judgeOf(p -> {
            throw new IllegalStateException("bug");
        }), new SimpleMeterRegistry(), Clock.systemUTC());
        JudgeHandler failed = new JudgeHandler(judgeOf(p -> CompletableFuture.failedFuture(new RuntimeException("down"))),
                new SimpleMeterRegistry(), Clock.systemUTC());
        for (JudgeHandler h : List.of(thrown, failed)) {
            List<Output> out = h.handle(input(pair)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(out).hasSize(1);
            Judgment j = (Judgment) out.get(0).value();
            assertThat(j.getVerdict()).isEqualTo(Verdict.UNAVAILABLE);
            assertThat(j.getError()).startsWith("judge-unavailable");
            assertThat(j.getPairId()).isEqualTo(pair.getPairId());
        }
    }

    /** The case: a producer that keeps failing must not make the judge pay its model again and again. */
    @Test
    void aProducerErrorIsRetriedBoundedThenStopsTheServiceWithoutJudgingAgain() throws Exception {
        TopicPartition p0 = new TopicPartition("pairs", 0);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions("pairs", List.of(new PartitionInfo("pairs", 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateBeginningOffsets(Map.of(p0, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(p0)));
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>("pairs", 0, 0, null,
                "x".getBytes(StandardCharsets.UTF_8))));
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        Serializer<SpecificRecord> values = (t, v) -> v.toString().getBytes(StandardCharsets.UTF_8);
        Deserializer<ComparisonPair> pairs = (t, b) -> pair;
        AtomicInteger judged = new AtomicInteger();
        List<Throwable> fatal = new CopyOnWriteArrayList<>();
        JudgeHandler handler = new JudgeHandler(judgeOf(p -> {
            judged.incrementAndGet();
            return CompletableFuture.completedFuture(new JudgeResult(judgment(p, Verdict.A), List.of()));
        }), new SimpleMeterRegistry(), Clock.systemUTC());
        ConsumerRuntime<ComparisonPair> runtime = JudgeService.runtime(consumer, producer, values, pairs, handler, 4,
                Duration.ofMillis(200), new SimpleMeterRegistry(), fatal::add);
        try {
            runtime.start();
            for (int attempt = 1; attempt <= 5; attempt++) {
                int n = attempt;
                await().atMost(Duration.ofSeconds(60)).until(() -> producer.history().size() == n);
                producer.errorNext(new TimeoutException("judgments not acknowledged"));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> !fatal.isEmpty());
            assertThat(judged).hasValue(1); // judged once, written five times, then the service stopped
            assertThat(producer.history()).hasSize(5);
            assertThat(runtime.health().up()).isFalse();
            assertThat(runtime.health().detail()).contains("failed 5 times");
        } finally {
            runtime.close();
        }
    }
}
