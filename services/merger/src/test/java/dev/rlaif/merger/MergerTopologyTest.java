package dev.rlaif.merger;

import dev.rlaif.common.kafka.DeadLetterHandler;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.serde.InMemoryRegistry;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.CritiqueAspect;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.FeedbackKind;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.LabelSource;
import dev.rlaif.schema.PairLink;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.RationalePreference;
import dev.rlaif.schema.UserFeedback;
import dev.rlaif.schema.Verdict;
import org.apache.avro.specific.SpecificRecord;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static dev.rlaif.common.testing.Fixtures.judgment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MergerTopologyTest {

    private final AvroSerdes serdes = AvroSerdes.inMemory(new InMemoryRegistry());
    private TopologyTestDriver driver;
    private TestInputTopic<String, Judgment> judgments;
    private TestInputTopic<String, Judgment> aiLabels;
    private TestInputTopic<String, EscalationRequest> escalations;
    private TestInputTopic<String, HumanLabel> labels;
    private TestInputTopic<String, UserFeedback> feedback;
    private TestInputTopic<String, Critique> critiques;
    private TestOutputTopic<String, PreferenceLabel> preferences;
    private TestOutputTopic<String, RationalePreference> rationales;
    private long clock = 10_000;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    @BeforeEach
    void start() {
        start(MergerConfig.defaults());
    }

    private void start(MergerConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "merger-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        driver = new TopologyTestDriver(MergerTopology.buildTopology(serdes, config, metrics), p, Instant.ofEpochMilli(0));
        judgments = driver.createInputTopic(Topics.JUDGMENTS.name(), new StringSerializer(), serdes.serializer());
        aiLabels = driver.createInputTopic(Topics.AI_LABELS.name(), new StringSerializer(), serdes.serializer());
        escalations = driver.createInputTopic(Topics.ESCALATIONS.name(), new StringSerializer(), serdes.serializer());
        labels = driver.createInputTopic(Topics.HUMAN_LABELS.name(), new StringSerializer(), serdes.serializer());
        feedback = driver.createInputTopic(Topics.FEEDBACK.name(), new StringSerializer(), serdes.serializer());
        critiques = driver.createInputTopic(Topics.CRITIQUES.name(), new StringSerializer(), serdes.serializer());
        preferences = driver.createOutputTopic(Topics.PREFERENCES.name(), new StringDeserializer(), serdes.deserializer());
        rationales = driver.createOutputTopic(Topics.RATIONALES.name(), new StringDeserializer(), serdes.deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private Instant tick() {
        clock += 1000;
        return Instant.ofEpochMilli(clock);
    }

    private void judged(Judgment j) {
        judgments.pipeInput(j.getPairId(), j, tick());
    }

    private void aiLabel(Judgment j) {
        judged(j);
        aiLabels.pipeInput(j.getPairId(), j, tick());
    }

    private void escalate(Judgment j, EscalationReason reason, int wanted) {
        judged(j);
        EscalationRequest e = EscalationRequest.newBuilder().setEscalationId("esc-" + j.getPairId()).setPairId(j.getPairId())
                .setPair(j.getPair()).setReason(reason).setPriority(1).setLabelsWanted(wanted).setJudgment(j)
                .setCreatedAt(tick()).build();
        escalations.pipeInput(j.getPairId(), e, tick());
    }

    private void label(String labelId, String pairId, String annotator, Choice choice) {
        labels.pipeInput(pairId, HumanLabel.newBuilder().setLabelId(labelId).setPairId(pairId).setAnnotatorId(annotator)
                .setChoice(choice).setSource(LabelSource.SIMULATED).setCreatedAt(tick()).build(), tick());
    }

    /** Records the merger wrote to one of its stores' changelogs (the driver keeps them like any output). */
    private List<String> changelogKeys(String store) {
        return driver.createOutputTopic("merger-test-" + store + "-changelog", new StringDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList().stream().map(TestRecord::key).toList();
    }

    @Test
    void aJudgedAndAiLabeledPairWritesEachStoreOnceAndSendsNoEmptyResponses() {
        Judgment j = judgment("p1", Verdict.B, 0.9, true);
        aiLabel(j);
        assertThat(preferences.readRecordsToList()).hasSize(1);
        assertThat(changelogKeys("merger-judgments")).as("the AI label repeats the judgment: kept once").containsExactly("p1");
        assertThat(changelogKeys("merger-pairs")).as("the pair is kept once, inside its judgment").isEmpty();
        assertThat(changelogKeys("merger-state")).as("the judgment alone changes nothing; the AI label does").containsExactly("p1");
        assertThat(changelogKeys("merger-generations")).as("responses without critique or thumbs are not kept").isEmpty();
        assertThat(changelogKeys("merger-generation-links")).hasSize(2);
        assertThat(driver.createOutputTopic("merger-test-merger-by-generation-repartition", new StringDeserializer(),
                serdes.<SpecificRecord>deserializer()).readKeyValuesToMap()).as("each generation gets a link to its pair, not the judgment")
                .isEqualTo(Map.of("g-p1-a", new PairLink("p1", "g-p1-a"), "g-p1-b", new PairLink("p1", "g-p1-b")));
        assertThat(driver.createOutputTopic("merger-test-merger-responses-by-pair-repartition", new StringDeserializer(),
                new ByteArrayDeserializer()).readRecordsToList()).as("nor sent to the pair").isEmpty();

        // a critique afterwards is still attached: the generation is linked to its pair
        String gen = j.getPair().getB().getGenerationId();
        CritiqueAspect aspect = new CritiqueAspect(7, "fine");
        critiques.pipeInput(gen, Critique.newBuilder().setCritiqueId("c1").setGenerationId(gen).setPromptId(j.getPair().getPromptId())
                .setJudgeModel("judge-m").setInstructionFollowing(aspect).setCorrectness(aspect).setStyle(aspect)
                .setCreatedAt(tick()).build(), tick());
        assertThat(preferences.readRecordsToList()).singleElement().satisfies(r ->
                assertThat(r.value().getChosen().getCritique().getCritiqueId()).isEqualTo("c1"));
    }

    @Test
    void aWholeJudgmentLeftInTheByGenerationTopicByAnEarlierVersionStillLinksItsGeneration() {
        // an earlier merger sent the whole judgment to each generation; a restarted merger reads what it left there
        Judgment j = judgment("p1", Verdict.B, 0.9, true);
        aiLabels.pipeInput(j.getPairId(), j, tick());
        assertThat(preferences.readRecordsToList()).hasSize(1);
        String gen = j.getPair().getB().getGenerationId();
        driver.createInputTopic("merger-test-merger-by-generation-repartition", new StringSerializer(), serdes.<SpecificRecord>serializer())
                .pipeInput(gen, j, tick());
        assertThat(changelogKeys("merger-generation-links")).hasSize(1);

        CritiqueAspect aspect = new CritiqueAspect(7, "fine");
        critiques.pipeInput(gen, Critique.newBuilder().setCritiqueId("c1").setGenerationId(gen).setPromptId(j.getPair().getPromptId())
                .setJudgeModel("judge-m").setInstructionFollowing(aspect).setCorrectness(aspect).setStyle(aspect)
                .setCreatedAt(tick()).build(), tick());
        assertThat(preferences.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.value().getChosen().getCritique().getCritiqueId()).isEqualTo("c1");
            assertThat(r.value().getChosen().getResponse()).isEqualTo("answer b");
            assertThat(r.value().getLabelVersion()).isEqualTo(2);
        });
    }

    @Test
    void storesLaidOutByAnEarlierVersionStillRead() {
        // an earlier merger kept every judged pair twice: in merger-pairs and inside the judgment
        Judgment j = judgment("p1", Verdict.B, 0.9, true);
        driver.<String, Judgment>getKeyValueStore("merger-judgments").put("p1", j);
        driver.<String, ComparisonPair>getKeyValueStore("merger-pairs").put("p1", j.getPair());
        aiLabels.pipeInput(j.getPairId(), j, tick());
        assertThat(preferences.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.value().getSource()).isEqualTo(PreferenceSource.AI);
            assertThat(r.value().getChosen().getGenerationId()).isEqualTo("g-p1-b");
        });
        assertThat(changelogKeys("merger-judgments")).as("the old state's own write only: the AI label repeats the stored judgment")
                .containsExactly("p1");
    }

    @Test
    void anEscalationWithoutJudgmentKeepsItsPairAloneAndAJudgmentLaterTakesOver() {
        Judgment j = judgment("p1", Verdict.B, 0.9, true);
        escalations.pipeInput("p1", EscalationRequest.newBuilder().setEscalationId("esc-p1").setPairId("p1").setPair(j.getPair())
                .setReason(EscalationReason.JUDGE_UNAVAILABLE).setPriority(1).setLabelsWanted(1).setJudgment(null)
                .setCreatedAt(tick()).build(), tick());
        assertThat(changelogKeys("merger-pairs")).containsExactly("p1");
        label("l1", "p1", "ann-1", Choice.A);
        assertThat(preferences.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.value().getSource()).isEqualTo(PreferenceSource.HUMAN);
            assertThat(r.value().getChosen().getGenerationId()).isEqualTo("g-p1-a");
            assertThat(r.value().getPrompt()).isEqualTo(j.getPair().getPrompt());
        });
        judged(j);
        assertThat(changelogKeys("merger-judgments")).containsExactly("p1");
        assertThat(preferences.readRecordsToList()).as("the human decision stands").isEmpty();
    }

    @Test
    void aConfidentAiLabelBecomesAnAiPreference() {
        Judgment j = judgment("p1", Verdict.B, 0.9, true);
        aiLabel(j);
        assertThat(preferences.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("p1");
            PreferenceLabel p = r.value();
            assertThat(p.getSource()).isEqualTo(PreferenceSource.AI);
            assertThat(p.getChosen().getGenerationId()).isEqualTo("g-p1-b");
            assertThat(p.getRejected().getGenerationId()).isEqualTo("g-p1-a");
            assertThat(p.getLabelVersion()).isEqualTo(1);
            assertThat(p.getStrength()).isCloseTo(Math.abs(2 * j.getPA() - 1), within(1e-9));
            assertThat(p.getAiConfidence()).isEqualTo(0.9);
            assertThat(p.getNAnnotators()).isZero();
        });
    }

    @Test
    void annotatorsWhoAlwaysContradictTheirPeersAreReadInvertedOnceKnown() {
        driver.close();
        start(new MergerConfig("merger-ds", false, 1, 5, 30));
        String[] contrarians = {"con1", "con2"};
        int n = 0;
        for (String con : contrarians) {
            for (int i = 0; i < 20; i++, n++) {
                Judgment j = judgment("h" + n, Verdict.A, 0.3, true);
                escalate(j, EscalationReason.LOW_CONFIDENCE, 3);
                Choice truth = i % 2 == 0 ? Choice.A : Choice.B;
                label("l-e-" + n, j.getPairId(), "expert", truth);
                label("l-r-" + n, j.getPairId(), "ref", truth);
                label("l-c-" + n, j.getPairId(), con, truth == Choice.A ? Choice.B : Choice.A);
            }
        }
        preferences.readRecordsToList();
        Judgment x = judgment("px", Verdict.B, 0.3, true);
        escalate(x, EscalationReason.LOW_CONFIDENCE, 3);
        label("x1", "px", "expert", Choice.A);
        label("x2", "px", "con1", Choice.B);
        label("x3", "px", "con2", Choice.B);
        PreferenceLabel p = preferences.readRecordsToList().get(0).value();
        assertThat(p.getSource()).isEqualTo(PreferenceSource.HUMAN);
        assertThat(p.getChosen().getGenerationId()).isEqualTo("g-px-a");          // plain majority would say B
        assertThat(p.getNAnnotators()).isEqualTo(3);
    }

    @Test
    void aJudgmentAloneEmitsNothing() {
        judged(judgment("p0", Verdict.A, 0.3, true));
        assertThat(preferences.isEmpty()).isTrue();
    }

    @Test
    void annotatorsAreAggregatedByMajorityOnceLabelsWantedAreIn() {
        Judgment j = judgment("p2", Verdict.A, 0.9, false);
        escalate(j, EscalationReason.POSITION_INCONSISTENT, 3);
        label("l1", "p2", "ann-1", Choice.B);
        label("l2", "p2", "ann-2", Choice.A);
        assertThat(preferences.isEmpty()).as("waits for the 3 labels wanted").isTrue();
        label("l3", "p2", "ann-3", Choice.B);
        assertThat(preferences.readValuesToList()).singleElement().satisfies(p -> {
            assertThat(p.getSource()).isEqualTo(PreferenceSource.HUMAN);
            assertThat(p.getChosen().getGenerationId()).isEqualTo("g-p2-b");
            assertThat(p.getTie()).isFalse();
            assertThat(p.getNAnnotators()).isEqualTo(3);
            assertThat(p.getHumanAgreement()).isCloseTo(2 / 3.0, within(1e-9));
            assertThat(p.getStrength()).isCloseTo(1 / 3.0, within(1e-9));
            assertThat(p.getAiConfirmed()).isFalse();
        });
    }

    @Test
    void aSplitBetweenAnnotatorsIsKeptAsATie() {
        escalate(judgment("p3", Verdict.ABSTAIN, 0, true), EscalationReason.ABSTAIN, 2);
        label("l1", "p3", "ann-1", Choice.A);
        label("l2", "p3", "ann-2", Choice.B);
        assertThat(preferences.readValuesToList()).singleElement().satisfies(p -> {
            assertThat(p.getTie()).isTrue();
            assertThat(p.getStrength()).isZero();
            assertThat(p.getHumanAgreement()).isEqualTo(0.5);
            assertThat(p.getSource()).isEqualTo(PreferenceSource.HUMAN);
            assertThat(p.getAiConfidence()).isNull();
        });
    }

    @Test
    void aHumanOverridesTheAiWithANewVersionOfTheSameKey() {
        aiLabel(judgment("p4", Verdict.A, 0.95, true));
        escalate(judgment("p4", Verdict.A, 0.95, true), EscalationReason.AUDIT, 1);
        label("l1", "p4", "ann-1", Choice.B);
        List<TestRecord<String, PreferenceLabel>> out = preferences.readRecordsToList();
        assertThat(out).extracting(TestRecord::key).containsExactly("p4", "p4");
        assertThat(out.get(0).value().getSource()).isEqualTo(PreferenceSource.AI);
        assertThat(out.get(0).value().getLabelVersion()).isEqualTo(1);
        PreferenceLabel v2 = out.get(1).value();
        assertThat(v2.getLabelVersion()).isEqualTo(2);
        assertThat(v2.getSource()).isEqualTo(PreferenceSource.HUMAN);
        assertThat(v2.getChosen().getGenerationId()).isEqualTo("g-p4-b");
        assertThat(v2.getAiConfirmed()).isFalse();
        assertThat(metrics.counter("rlaif_merger_preferences_total", "source", "ai", "first", "true").count()).isEqualTo(1);
        assertThat(metrics.counter("rlaif_merger_preferences_total", "source", "human", "first", "false").count()).isEqualTo(1);
    }

    @Test
    void anAiLabelConfirmedByAHumanIsMarkedAndLateLabelsReVersionOnlyOnChange() {
        aiLabel(judgment("p5", Verdict.A, 0.95, true));
        escalate(judgment("p5", Verdict.A, 0.95, true), EscalationReason.AUDIT, 1);
        label("l1", "p5", "ann-1", Choice.A);
        label("l1", "p5", "ann-1", Choice.A); // the same submission again: no new version
        List<PreferenceLabel> out = preferences.readValuesToList();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).getSource()).isEqualTo(PreferenceSource.AI_HUMAN);
        assertThat(out.get(1).getAiConfirmed()).isTrue();
        assertThat(out.get(1).getLabelVersion()).isEqualTo(2);
        // a late second annotator: version 3, now 2 annotators
        label("l2", "p5", "ann-2", Choice.A);
        assertThat(preferences.readValuesToList()).singleElement().satisfies(p -> {
            assertThat(p.getLabelVersion()).isEqualTo(3);
            assertThat(p.getNAnnotators()).isEqualTo(2);
        });
    }

    @Test
    void pairwiseUserFeedbackBecomesAUserLabelInThePairsOwnTerms() {
        // the pair of generations g-p6-a and g-p6-b, judged without a verdict
        String pairId = dev.rlaif.common.pair.PairIds.pairId("g-p6-a", "g-p6-b");
        Judgment keyed = judgment(pairId, Verdict.ABSTAIN, 0, true);
        keyed.getPair().getA().setGenerationId("g-p6-a");
        keyed.getPair().getB().setGenerationId("g-p6-b");
        // the product showed B's generation first and the user picked it; it arrives before the judgment
        feedback.pipeInput("q", userFeedback("f1", "u1", FeedbackKind.PAIRWISE, "g-p6-b", "g-p6-a", Choice.A), tick());
        assertThat(preferences.isEmpty()).as("no pair content yet").isTrue();
        judged(keyed);
        assertThat(preferences.readValuesToList()).singleElement().satisfies(p -> {
            assertThat(p.getPairId()).isEqualTo(pairId);
            assertThat(p.getSource()).isEqualTo(PreferenceSource.USER);
            assertThat(p.getChosen().getGenerationId()).isEqualTo("g-p6-b");
            assertThat(p.getNAnnotators()).isEqualTo(1);
        });
    }

    @Test
    void thumbsAndCritiquesEnrichThePreferenceOfThePair() {
        Judgment j = judgment("p7", Verdict.A, 0.9, true);
        feedback.pipeInput("q", userFeedback("f1", "u1", FeedbackKind.THUMBS_UP, "g-p7-a", null, null), tick());
        feedback.pipeInput("q", userFeedback("f1", "u1", FeedbackKind.THUMBS_UP, "g-p7-a", null, null), tick()); // duplicate id
        feedback.pipeInput("q", userFeedback("f2", "u2", FeedbackKind.THUMBS_DOWN, "g-p7-b", null, null), tick());
        aiLabel(j);
        PreferenceLabel last = lastPreference();
        assertThat(last.getChosen().getThumbsUp()).isEqualTo(1);
        assertThat(last.getRejected().getThumbsDown()).isEqualTo(1);
        assertThat(last.getChosen().getResponse()).isEqualTo("answer a");
        CritiqueAspect aspect = new CritiqueAspect(7, "fine");
        critiques.pipeInput("g-p7-a", Critique.newBuilder().setCritiqueId("c1").setGenerationId("g-p7-a").setPromptId("q")
                .setJudgeModel("judge-m").setInstructionFollowing(aspect).setCorrectness(aspect).setStyle(aspect)
                .setCreatedAt(tick()).build(), tick());
        PreferenceLabel enriched = lastPreference();
        assertThat(enriched.getChosen().getCritique().getCritiqueId()).isEqualTo("c1");
        assertThat(enriched.getLabelVersion()).isGreaterThan(last.getLabelVersion());
        assertThat(enriched.getSource()).isEqualTo(PreferenceSource.AI);
    }

    @Test
    void aHumanLabelOnAnLlmJudgedPairWritesTheStarRecord() {
        Judgment j = judgment("p8", Verdict.A, 0.4, true); // samples: AB says A, BA says B
        escalate(j, EscalationReason.LOW_CONFIDENCE, 1);
        label("l1", "p8", "ann-1", Choice.B);
        assertThat(rationales.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("p8");
            RationalePreference star = r.value();
            assertThat(star.getHumanChoice()).isEqualTo(Choice.B);
            assertThat(star.getGoodReasoning()).containsExactly("B is right because");
            assertThat(star.getBadReasoning()).containsExactly("A is right because");
            assertThat(star.getResponseA()).isEqualTo("answer a");
        });
        assertThat(lastPreference().getSource()).isEqualTo(PreferenceSource.HUMAN);
    }

    @Test
    void aRewardModelJudgmentWritesNoStarRecord() {
        Judgment j = judgment("p9", Verdict.A, 0.4, true);
        j.setJudgeType(dev.rlaif.schema.JudgeType.REWARD_MODEL);
        j.setSamples(List.of());
        escalate(j, EscalationReason.LOW_CONFIDENCE, 1);
        label("l1", "p9", "ann-1", Choice.A);
        assertThat(rationales.isEmpty()).isTrue();
        assertThat(preferences.readValuesToList()).hasSize(1);
    }

    @Test
    void corruptAndInvalidInputIsDeadLetteredWithItsReason() {
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(Topics.HUMAN_LABELS.name(), new StringSerializer(), new ByteArraySerializer());
        raw.pipeInput("x", "garbage".getBytes(StandardCharsets.UTF_8));
        feedback.pipeInput("q", userFeedback("f9", "u1", FeedbackKind.PAIRWISE, "g-1", null, Choice.A), tick());
        TestRecord<byte[], byte[]> badLabel = driver.createOutputTopic(Topics.HUMAN_LABELS.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecord();
        assertThat(new String(badLabel.value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
        assertThat(DeadLetters.header(badLabel.headers(), DeadLetters.REASON)).startsWith("cannot deserialize");
        TestRecord<byte[], byte[]> badFeedback = driver.createOutputTopic(Topics.FEEDBACK.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecord();
        assertThat(DeadLetters.header(badFeedback.headers(), DeadLetters.REASON)).contains("other_generation_id is missing");
        assertThat(DeadLetters.header(badFeedback.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("feedback");
        // processing goes on
        aiLabel(judgment("p10", Verdict.A, 0.9, true));
        assertThat(preferences.readValuesToList()).hasSize(1);
    }

    @Test
    void onFirstLabelModeEmitsAtOnceAndReVersionsAsLabelsArrive() {
        close();
        start(new MergerConfig("merger-first", true, 1));
        escalate(judgment("p11", Verdict.A, 0.9, false), EscalationReason.POSITION_INCONSISTENT, 3);
        label("l1", "p11", "ann-1", Choice.A);
        label("l2", "p11", "ann-2", Choice.B);
        List<PreferenceLabel> out = preferences.readValuesToList();
        assertThat(out).extracting(PreferenceLabel::getLabelVersion).containsExactly(1, 2);
        assertThat(out.get(0).getChosen().getGenerationId()).isEqualTo("g-p11-a");
        assertThat(out.get(1).getTie()).isTrue();
    }

    private PreferenceLabel lastPreference() {
        List<PreferenceLabel> all = preferences.readValuesToList();
        assertThat(all).isNotEmpty();
        return all.get(all.size() - 1);
    }

    private UserFeedback userFeedback(String id, String user, FeedbackKind kind, String gen, String other, Choice choice) {
        return UserFeedback.newBuilder().setFeedbackId(id).setUserId(user).setKind(kind).setPromptId("q")
                .setGenerationId(gen).setOtherGenerationId(other).setChoice(choice).setCreatedAt(tick()).setTags(Map.of()).build();
    }
}
