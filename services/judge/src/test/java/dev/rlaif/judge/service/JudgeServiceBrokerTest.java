package dev.rlaif.judge.service;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.judge.Fixtures;
import dev.rlaif.judge.JudgeServiceProvider;
import dev.rlaif.judge.bench.SimulatedOpenAiEndpoint;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The judge service on a real in-process broker: delivery across a restart, dead letters, both backends. */
@Tag("broker")
class JudgeServiceBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @TempDir
    Path dir;

    private static final String SHARED = "GOOD: a shared answer that appears in every pair.";

    private RlaifService service(Map<String, String> env) {
        RlaifService s = new JudgeServiceProvider().create(ServiceContext.of(broker.settings(), new Env(env)));
        try {
            s.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return s;
    }

    private static List<ComparisonPair> produce(String prefix, int n) {
        List<ComparisonPair> pairs = new ArrayList<>();
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<String, ComparisonPair> p = Clients.avroProducer(broker.settings(), prefix + "-producer")) {
            for (int i = 0; i < n; i++) {
                ComparisonPair pair = Fixtures.pair("Explain tides.", prefix + "-shared-" + i, SHARED,
                        prefix + "-other-" + i, "Tides are caused by wind, number " + i + ".");
                pairs.add(pair);
                sent.add(p.send(new ProducerRecord<>(Topics.PAIRS.name(), pair.getPairId(), pair)));
            }
            for (var f : sent) {
                try {
                    f.get(); // a send that failed fails the test here, not as a missing judgment later
                } catch (Exception e) {
                    throw new IllegalStateException("a pair was not written", e);
                }
            }
        }
        return pairs;
    }

    private static List<ConsumerRecord<String, Judgment>> judgmentsOf(Set<String> pairIds) {
        return TopicReader.readAll(broker.settings(), Topics.JUDGMENTS).stream()
                .filter(r -> pairIds.contains(r.key())).toList();
    }

    @Test
    void aRestartMidStreamLosesNoPairAndDuplicatesOnlyThoseInFlight() throws Exception {
        try (KafkaProducer<byte[], byte[]> raw = Clients.rawProducer(broker.settings(), "garbage")) {
            raw.send(new ProducerRecord<>(Topics.PAIRS.name(), "bad-1".getBytes(StandardCharsets.UTF_8),
                    "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
        }
        List<ComparisonPair> pairs = produce("restart", 60);
        Set<String> ids = pairs.stream().map(ComparisonPair::getPairId).collect(Collectors.toSet());
        int maxPending = 6;
        try (SimulatedOpenAiEndpoint llm = new SimulatedOpenAiEndpoint(8, SimulatedOpenAiEndpoint.NMode.HONOUR,
                Fixtures.prefers("GOOD", 100))) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "RLAIF_JUDGE_LLM_URL", llm.baseUrl(), "RLAIF_JUDGE_LLM_MODEL", "judge-test",
                    "RLAIF_JUDGE_MAX_IN_FLIGHT", "8", "RLAIF_JUDGE_MAX_PENDING_PAIRS", String.valueOf(maxPending),
                    "RLAIF_JUDGE_SHUTDOWN_GRACE", "0s", "RLAIF_JUDGE_GROUP_ID", "judge-restart-test"));

            RlaifService first = service(env);
            java.util.concurrent.atomic.AtomicInteger peakPairs = new java.util.concurrent.atomic.AtomicInteger();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakPairs.accumulateAndGet(((JudgeService) first).inFlight(), Math::max);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> judgmentsOf(ids).size() >= 20);
            sampler.interrupt();
            sampler.join();
            // back-pressure: the consumer pauses at the bound, and a poll returns at most the bound
            assertThat(peakPairs.get()).isGreaterThanOrEqualTo(maxPending).isLessThan(2 * maxPending);
            first.close(); // mid-stream: pairs in flight are neither committed nor (necessarily) written
            int afterFirst = judgmentsOf(ids).size();
            assertThat(afterFirst).isLessThan(ids.size());

            RlaifService second = service(env);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        judgmentsOf(ids).stream().map(ConsumerRecord::key).distinct().count() == ids.size());
                await().atMost(Duration.ofSeconds(10)).until(second::idle);
            } finally {
                second.close();
            }

            List<ConsumerRecord<String, Judgment>> judgments = judgmentsOf(ids);
            assertThat(judgments).allMatch(r -> r.key().equals(r.value().getPairId()));
            assertThat(judgments).allMatch(r -> r.value().getVerdict() == Verdict.A
                    && r.value().getJudgeType() == JudgeType.LLM);
            // duplicates only for pairs in flight at the stop: at most one poll's worth past the pending bound
            // (fewer than the 20 judged before the stop, so judging everything again would fail here)
            assertThat(judgments.size() - ids.size()).isLessThanOrEqualTo(2 * maxPending);

            // the shared response was critiqued once, across the restart (cache preloaded from the critiques topic)
            long sharedCritiques = llm.seen().stream().filter(q -> q.critique() && q.firstAnswer().equals(SHARED)).count();
            assertThat(sharedCritiques).isEqualTo(1);
            assertThat(judgments).allMatch(r -> r.value().getCritiqueIds().size() == 2);
            assertThat(llm.peakOutstanding()).isLessThanOrEqualTo(8); // RLAIF_JUDGE_MAX_IN_FLIGHT
        }

        var dead = TopicReader.readRaw(broker.settings(), Topics.PAIRS.dlq());
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not avro at all");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON)).contains("cannot deserialize pairs value");
        assertThat(DeadLetters.header(dead.get(0).headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("pairs");
    }

    /** Pairs written in one transaction, as the pairing service (exactly-once Streams) writes them. */
    private static List<ComparisonPair> produceTransactionally(String prefix, int n) {
        Map<String, Object> config = new HashMap<>(Clients.producerConfig(broker.settings(), prefix + "-tx"));
        config.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "-tx");
        List<ComparisonPair> pairs = new ArrayList<>();
        try (KafkaProducer<String, ComparisonPair> p = new KafkaProducer<>(config,
                new org.apache.kafka.common.serialization.StringSerializer(),
                dev.rlaif.common.serde.AvroSerdes.from(broker.settings()).serializer())) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < n; i++) {
                ComparisonPair pair = Fixtures.pair("Explain tides.", prefix + "-a-" + i, "answer " + i,
                        prefix + "-b-" + i, "other " + i);
                pairs.add(pair);
                p.send(new ProducerRecord<>(Topics.PAIRS.name(), pair.getPairId(), pair));
            }
            p.commitTransaction();
        }
        return pairs;
    }

    private static long lag(String group) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var partitions = admin.describeTopics(List.of(Topics.PAIRS.name())).allTopicNames().get()
                    .get(Topics.PAIRS.name()).partitions();
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            partitions.forEach(pi -> latest.put(new org.apache.kafka.common.TopicPartition(Topics.PAIRS.name(), pi.partition()),
                    org.apache.kafka.clients.admin.OffsetSpec.latest()));
            long lag = 0;
            for (var e : admin.listOffsets(latest).all().get().entrySet()) {
                var c = committed.get(e.getKey());
                lag += e.getValue().offset() - (c == null ? 0 : c.offset());
            }
            return lag;
        }
    }

    @Test
    void withoutAnLlmItAbstainsThroughTheRewardModelBackendUntilAModelIsPublished() throws Exception {
        List<ComparisonPair> pairs = produceTransactionally("rm", 5);
        Set<String> ids = pairs.stream().map(ComparisonPair::getPairId).collect(Collectors.toSet());
        RlaifService s = service(Map.of("RLAIF_MODELS_DIR", dir.resolve("models").toString(),
                "RLAIF_JUDGE_GROUP_ID", "judge-rm-test"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> judgmentsOf(ids).size() >= ids.size());
            // the transaction's commit marker lies past the last pair: the group must still reach lag 0
            await().atMost(Duration.ofSeconds(10)).until(() -> lag("judge-rm-test") == 0);
        } finally {
            s.close();
        }
        assertThat(judgmentsOf(ids)).allSatisfy(r -> {
            assertThat(r.value().getJudgeType()).isEqualTo(JudgeType.REWARD_MODEL);
            assertThat(r.value().getVerdict()).isEqualTo(Verdict.ABSTAIN);
            assertThat(r.value().getConfidence()).isZero();
        });
        assertThat(TopicReader.readAll(broker.settings(), Topics.CRITIQUES))
                .noneMatch(r -> r.value().getGenerationId().startsWith("rm-"));
    }
}
