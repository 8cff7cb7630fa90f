package dev.rlaif.router;

import dev.rlaif.common.kafka.DeadLetterHandler;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.serde.InMemoryRegistry;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.router.calibration.Calibration;
import dev.rlaif.router.policy.RoutingPolicy;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.LabelSource;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;

import static dev.rlaif.common.testing.Fixtures.judgment;
import static org.assertj.core.api.Assertions.assertThat;

class RouterTopologyTest {

    private final AvroSerdes serdes = AvroSerdes.inMemory(new InMemoryRegistry());
    private TopologyTestDriver driver;
    private TestInputTopic<String, Judgment> judgments;
    private TestInputTopic<String, HumanLabel> labels;
    private TestOutputTopic<String, Judgment> aiLabels;
    private TestOutputTopic<String, EscalationRequest> escalations;
    private Calibration calibration;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path stateDir;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    private void start(RouterConfig config) {
        calibration = new Calibration(config.calibrationBuckets());
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put("processing.exception.handler.global.enabled", true);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        driver = new TopologyTestDriver(RouterTopology.buildTopology(serdes, config, calibration, metrics), p, Instant.ofEpochMilli(0));
        judgments = driver.createInputTopic(Topics.JUDGMENTS.name(), new StringSerializer(), serdes.serializer());
        labels = driver.createInputTopic(Topics.HUMAN_LABELS.name(), new StringSerializer(), serdes.serializer());
        aiLabels = driver.createOutputTopic(Topics.AI_LABELS.name(), new StringDeserializer(), serdes.deserializer());
        escalations = driver.createOutputTopic(Topics.ESCALATIONS.name(), new StringDeserializer(), serdes.deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void pipe(Judgment j) {
        judgments.pipeInput(j.getPairId(), j, Instant.ofEpochMilli(10_000));
    }

    @Test
    void judgeQualityIsKeptPerModelAndPromptAndAlarmsWhenAuditsDisagree() {
        start(RouterConfig.defaults().withAuditRate(1.0));                  // every confident pair is also an audit
        pipe(judgment("q1", Verdict.A, 0.95, true));
        pipe(judgment("q2", Verdict.A, 0.95, false));                        // position-inconsistent
        pipe(judgment("q3", Verdict.B, 0.3, true));                          // low confidence
        labels.pipeInput("q1", label("m1", "q1", Choice.B));
        labels.pipeInput("q1", label("m1", "q1", Choice.B));                 // duplicate counts once
        labels.pipeInput("q3", label("m3", "q3", Choice.B));
        var gauge = (java.util.function.Function<String, Double>) name -> metrics.get(name)
                .tag("judge_model", "judge-m").tag("prompt_version", "").gauge().value();
        assertThat(gauge.apply("rlaif_judge_quality_position_inconsistency")).isEqualTo(1.0 / 3);
        assertThat(gauge.apply("rlaif_judge_quality_audit_agreement")).isEqualTo(0.0);     // one audit, disagreed
        // ECE over 10 buckets: bucket 9 (0.95 predicts 0.975, agreement 0), bucket 3 (0.3 predicts 0.65, agreement 1)
        assertThat(gauge.apply("rlaif_judge_quality_ece")).isCloseTo((0.975 + 0.35) / 2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(gauge.apply("rlaif_judge_quality_alarm")).isEqualTo(0.0);              // 1 audit < 30 needed
    }

    /** A pair id that the default 5% audit does not sample. */
    private static String unaudited(int i) {
        return IntStream.iterate(i * 1000, n -> n + 1).mapToObj(n -> "p" + n)
                .filter(id -> !RoutingPolicy.isAudited(id, 0.05)).findFirst().orElseThrow();
    }

    @Test
    void confidentConsistentJudgmentBecomesAnAiLabelOnly() {
        start(RouterConfig.defaults());
        String id = unaudited(1);
        pipe(judgment(id, Verdict.A, 0.9, true));
        List<TestRecord<String, Judgment>> out = aiLabels.readRecordsToList();
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(id);
            assertThat(r.value().getVerdict()).isEqualTo(Verdict.A);
        });
        assertThat(escalations.isEmpty()).isTrue();
    }

    @Test
    void everyReasonIsEscalatedWithItsPriorityAndLabelsWanted() {
        start(RouterConfig.defaults());
        pipe(judgment(unaudited(1), Verdict.A, 0.3, true));
        pipe(judgment(unaudited(2), Verdict.B, 0.95, false));
        Judgment invalid = judgment(unaudited(3), Verdict.INVALID, 0, true);
        pipe(invalid);
        Judgment mostlyInvalid = judgment(unaudited(4), Verdict.A, 0.9, true);
        mostlyInvalid.setVotes(new VoteCounts(2, 0, 0, 6));
        pipe(mostlyInvalid);
        pipe(judgment(unaudited(5), Verdict.UNAVAILABLE, 0, true));
        pipe(judgment(unaudited(6), Verdict.ABSTAIN, 0, true));

        assertThat(aiLabels.isEmpty()).isTrue();
        List<EscalationRequest> out = escalations.readValuesToList();
        assertThat(out).extracting(EscalationRequest::getReason).containsExactly(
                EscalationReason.LOW_CONFIDENCE, EscalationReason.POSITION_INCONSISTENT, EscalationReason.INVALID_OUTPUT,
                EscalationReason.INVALID_OUTPUT, EscalationReason.JUDGE_UNAVAILABLE, EscalationReason.ABSTAIN);
        assertThat(out.get(0).getPriority()).isEqualTo(2 - 0.3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(out.get(1).getLabelsWanted()).isEqualTo(3);
        assertThat(out.get(0).getLabelsWanted()).isEqualTo(1);
        assertThat(out.get(5).getPriority()).isEqualTo(2.0);
        assertThat(metrics.counter("rlaif_router_routed_total", "outcome", "invalid_output").count()).isEqualTo(2);
        assertThat(metrics.counter("rlaif_router_routed_total", "outcome", "abstain").count()).isEqualTo(1);
        assertThat(out).allSatisfy(e -> {
            assertThat(e.getJudgment()).isNotNull();
            assertThat(e.getPair().getPairId()).isEqualTo(e.getPairId());
            assertThat(e.getNotBefore()).isNull();
        });
    }

    @Test
    void aRepeatedJudgmentOfAPairIsRoutedOnce() {
        start(RouterConfig.defaults());
        String id = unaudited(7);
        pipe(judgment(id, Verdict.A, 0.2, true));
        pipe(judgment(id, Verdict.A, 0.2, true));
        assertThat(escalations.readValuesToList()).hasSize(1);
    }

    @Test
    void auditSamplingIsDeterministicByPairIdAndNearItsRate() {
        start(RouterConfig.defaults());
        List<String> ids = IntStream.range(0, 2000).mapToObj(i -> "pair-" + i).toList();
        ids.forEach(id -> pipe(judgment(id, Verdict.B, 0.99, true)));
        assertThat(aiLabels.readRecordsToList()).hasSize(2000);
        List<EscalationRequest> audits = escalations.readValuesToList();
        assertThat(audits).allSatisfy(e -> {
            assertThat(e.getReason()).isEqualTo(EscalationReason.AUDIT);
            assertThat(e.getPriority()).isLessThan(1.0);
        });
        List<String> audited = audits.stream().map(EscalationRequest::getPairId).toList();
        assertThat(audited).containsExactlyElementsOf(ids.stream().filter(id -> RoutingPolicy.isAudited(id, 0.05)).toList());
        assertThat(audited.size()).isBetween(70, 130);
        // a second run over the same ids picks the same pairs
        close();
        start(RouterConfig.defaults());
        ids.forEach(id -> pipe(judgment(id, Verdict.B, 0.99, true)));
        assertThat(escalations.readValuesToList()).extracting(EscalationRequest::getPairId).containsExactlyElementsOf(audited);
    }

    @Test
    void budgetDefersTheLowestPrioritiesAndDropsNothing() {
        // 10 labels per hour: confident audits (priority ~0) may fill half a slot, undecided pairs all of it
        start(RouterConfig.defaults().withAuditRate(1.0).withBudget(10, Duration.ofHours(1)));
        long t0 = Duration.ofHours(5).toMillis();
        for (int i = 0; i < 8; i++) {
            Judgment j = judgment("audit-" + i, Verdict.A, 0.99, true);
            judgments.pipeInput(j.getPairId(), j, Instant.ofEpochMilli(t0 + i));
        }
        for (int i = 0; i < 4; i++) {
            Judgment j = judgment("abstain-" + i, Verdict.ABSTAIN, 0, true);
            judgments.pipeInput(j.getPairId(), j, Instant.ofEpochMilli(t0 + 100 + i));
        }
        List<EscalationRequest> out = escalations.readValuesToList();
        assertThat(out).hasSize(12);
        List<EscalationRequest> audits = out.stream().filter(e -> e.getReason() == EscalationReason.AUDIT).toList();
        List<EscalationRequest> abstains = out.stream().filter(e -> e.getReason() == EscalationReason.ABSTAIN).toList();
        // 5 audits fit the current hour, the rest wait for the next hour
        assertThat(audits.stream().filter(e -> e.getNotBefore() == null).count()).isEqualTo(5);
        assertThat(audits.stream().filter(e -> e.getNotBefore() != null))
                .hasSize(3)
                .allSatisfy(e -> assertThat(e.getNotBefore()).isEqualTo(Instant.ofEpochMilli(Duration.ofHours(6).toMillis())));
        // undecided pairs still get the room the audits left in the current hour
        assertThat(abstains).hasSize(4).allSatisfy(e -> assertThat(e.getNotBefore()).isNull());
        // escalations come back keyed by pair id
        assertThat(out).allSatisfy(e -> assertThat(e.getPairId()).startsWith(e.getReason() == EscalationReason.AUDIT ? "audit-" : "abstain-"));
    }

    @Test
    void calibrationCountsHumanAgreementPerModelAndBucket() {
        start(RouterConfig.defaults().withAuditRate(1.0));
        pipe(judgment("x1", Verdict.A, 0.95, true));
        pipe(judgment("x2", Verdict.A, 0.95, true));
        pipe(judgment("x3", Verdict.B, 0.35, true));
        labels.pipeInput("x1", label("l1", "x1", Choice.A));
        labels.pipeInput("x1", label("l1", "x1", Choice.A)); // duplicate submission counts once
        labels.pipeInput("x2", label("l2", "x2", Choice.B));
        labels.pipeInput("x3", label("l3", "x3", Choice.B));
        assertThat(calibration.counts("judge-m", 9)).containsExactly(2, 1);
        assertThat(calibration.counts("judge-m", 3)).containsExactly(1, 1);
    }

    @Test
    void automaticThresholdRaisesItWhenTheAiIsWrongInABucket() {
        RouterConfig config = RouterConfig.defaults().withThreshold(0.8).withAuditRate(1.0).withAutoThreshold(true, 2);
        start(config);
        // humans disagree with the AI in the 0.8-0.9 bucket
        pipe(judgment("w1", Verdict.A, 0.85, true));
        pipe(judgment("w2", Verdict.A, 0.85, true));
        labels.pipeInput("w1", label("m1", "w1", Choice.B));
        labels.pipeInput("w2", label("m2", "w2", Choice.B));
        aiLabels.readRecordsToList();
        escalations.readRecordsToList();
        pipe(judgment("w3", Verdict.A, 0.86, true));
        assertThat(aiLabels.isEmpty()).isTrue();
        assertThat(escalations.readValuesToList()).singleElement()
                .satisfies(e -> assertThat(e.getReason()).isEqualTo(EscalationReason.LOW_CONFIDENCE));
    }

    @Test
    void corruptJudgmentLandsInTheDeadLetterTopicWithItsReason() {
        start(RouterConfig.defaults());
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(Topics.JUDGMENTS.name(), new StringSerializer(), new ByteArraySerializer());
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
        raw.pipeInput("bad", garbage);
        String ok = unaudited(9);
        pipe(judgment(ok, Verdict.A, 0.9, true));
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic(Topics.JUDGMENTS.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualTo(garbage);
            assertThat(DeadLetters.header(r.headers(), DeadLetters.REASON)).startsWith("cannot deserialize");
            assertThat(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("judgments");
        });
        // processing went on
        assertThat(aiLabels.readKeyValuesToList()).singleElement().satisfies(kv -> assertThat(kv.key).isEqualTo(ok));
    }

    private static HumanLabel label(String id, String pair, Choice c) {
        return HumanLabel.newBuilder().setLabelId(id).setPairId(pair).setAnnotatorId("ann").setChoice(c)
                .setSource(LabelSource.ANNOTATOR).setCreatedAt(Instant.ofEpochMilli(20_000)).build();
    }
}
