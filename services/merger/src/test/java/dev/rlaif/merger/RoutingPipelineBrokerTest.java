package dev.rlaif.merger;

import dev.rlaif.common.testing.Fixtures;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.router.RouterConfig;
import dev.rlaif.router.RouterService;
import dev.rlaif.router.cli.CalibrateCommand;
import dev.rlaif.router.policy.RoutingPolicy;
import dev.rlaif.merger.star.ExportStarCommand;
import dev.rlaif.common.json.Json;
import dev.rlaif.schema.EscalationReason;
import picocli.CommandLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.LabelSource;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.Verdict;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The router and the merger running for real against an in-process broker: every pair ends as exactly one current
 * preference or one open escalation, labelled pairs get their human preference, and a corrupt judgment is
 * dead-lettered by the Streams error handler.
 */
@Tag("broker")
class RoutingPipelineBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static final int PAIRS = 48;

    private static Judgment judgmentFor(int i) {
        String id = "pair-" + i;
        return switch (i % 4) {
            case 0 -> Fixtures.judgment(id, Verdict.A, 0.95, true);
            case 1 -> Fixtures.judgment(id, Verdict.B, 0.3, true);
            case 2 -> Fixtures.judgment(id, Verdict.ABSTAIN, 0, true);
            default -> Fixtures.judgment(id, Verdict.A, 0.9, false);
        };
    }

    @Test
    void everyPairEndsAsOnePreferenceOrOneOpenEscalation() throws Exception {
        KafkaSettings settings = broker.settings();
        RouterConfig routerConfig = RouterConfig.defaults();
        Set<String> expectedAi = new HashSet<>();
        Set<String> expectedEscalated = new HashSet<>();
        try (KafkaProducer<String, Judgment> producer = Clients.avroProducer(settings, "test-judge");
             var raw = Clients.rawProducer(settings, "test-garbage")) {
            raw.send(new ProducerRecord<>(Topics.JUDGMENTS.name(), "bad".getBytes(StandardCharsets.UTF_8),
                    "not a judgment".getBytes(StandardCharsets.UTF_8))).get();
            for (int i = 0; i < PAIRS; i++) {
                Judgment j = judgmentFor(i);
                producer.send(new ProducerRecord<>(Topics.JUDGMENTS.name(), j.getPairId(), j)).get();
                RoutingPolicy.Decision d = RoutingPolicy.decide(j, routerConfig.confidenceThreshold(), routerConfig.auditRate());
                if (d.aiLabel()) {
                    expectedAi.add(j.getPairId());
                }
                if (d.escalation().isPresent()) {
                    expectedEscalated.add(j.getPairId());
                }
            }
        }
        ServiceContext context = ServiceContext.of(settings, new Env(Map.of()));
        try (RouterService router = new RouterService(context)) {
            MergerService merger = new MergerService(context);
            router.start();
            merger.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    TopicReader.count(settings, Topics.ESCALATIONS.name()) == expectedEscalated.size()
                            && TopicReader.count(settings, Topics.AI_LABELS.name()) == expectedAi.size());

            // simulated annotators answer the escalations of the even pairs with labels_wanted labels each
            List<EscalationRequest> escalations = TopicReader.readAll(settings, Topics.ESCALATIONS).stream().map(ConsumerRecord::value).toList();
            Set<String> labelled = new HashSet<>();
            Map<String, Integer> wanted = new HashMap<>();
            try (KafkaProducer<String, HumanLabel> producer = Clients.avroProducer(settings, "test-annotators")) {
                annotate(producer, escalations, 0, labelled, wanted);
            }
            Set<String> expectedPreferred = new HashSet<>(expectedAi);
            expectedPreferred.addAll(labelled);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> done(latest(settings), expectedPreferred, labelled, wanted));

            Map<String, PreferenceLabel> latest = latest(settings);
            Set<String> escalatedIds = escalations.stream().map(EscalationRequest::getPairId).collect(Collectors.toSet());
            Set<String> openEscalations = new HashSet<>(escalatedIds);
            openEscalations.removeAll(latest.keySet());
            assertThat(escalations).hasSize(escalatedIds.size()); // one escalation per pair
            assertThat(latest.size() + openEscalations.size()).isEqualTo(PAIRS);
            assertThat(openEscalations).allSatisfy(id -> assertThat(labelled).doesNotContain(id));
            assertThat(labelled).allSatisfy(id -> {
                PreferenceLabel p = latest.get(id);
                assertThat(p.getChosen().getGenerationId()).endsWith("-b");
                assertThat(p.getSource()).isIn(PreferenceSource.HUMAN, PreferenceSource.AI_HUMAN);
            });
            assertThat(latest.values().stream().filter(p -> p.getSource() == PreferenceSource.AI).count())
                    .isEqualTo(expectedAi.stream().filter(id -> !labelled.contains(id)).count());

            // both services read judgments, and each dead-letters the corrupt record once, saying who and why
            var dead = TopicReader.readRaw(settings, Topics.JUDGMENTS.dlq());
            assertThat(dead).extracting(r -> DeadLetters.header(r.headers(), DeadLetters.SERVICE))
                    .containsExactlyInAnyOrder("rlaif-router", "rlaif-merger");
            assertThat(dead).allSatisfy(r -> {
                assertThat(DeadLetters.header(r.headers(), DeadLetters.REASON)).startsWith("cannot deserialize");
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("not a judgment");
            });

            // restart the merger; the other half of the escalations is labelled while it is down
            merger.close();
            try (KafkaProducer<String, HumanLabel> producer = Clients.avroProducer(settings, "test-annotators-2")) {
                annotate(producer, escalations, 1, labelled, wanted);
            }
            try (MergerService restarted = new MergerService(context)) {
                restarted.start();
                Set<String> all = new HashSet<>(expectedPreferred);
                all.addAll(escalatedIds);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> done(latest(settings), all, labelled, wanted));
                assertThat(all).hasSize(PAIRS); // no open escalation is left
                // no label lost or duplicated across the restart: each pair's versions are 1, 2, ... with no repeat
                Map<String, List<Integer>> versions = new HashMap<>();
                for (ConsumerRecord<String, PreferenceLabel> r : TopicReader.readAll(settings, Topics.PREFERENCES)) {
                    versions.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(r.value().getLabelVersion());
                }
                assertThat(versions).allSatisfy((id, v) ->
                        assertThat(v).isEqualTo(java.util.stream.IntStream.rangeClosed(1, v.size()).boxed().toList()));
            }

            // the CLI commands read the same topics: calibration from audits and low-confidence pairs, STaR export
            long audited = escalations.stream().filter(e -> e.getReason() == EscalationReason.AUDIT).count();
            long lowConfidence = escalations.stream().filter(e -> e.getReason() == EscalationReason.LOW_CONFIDENCE).count();
            var calibration = Json.read(lastLine(cli(new CalibrateCommand(), "--bootstrap-servers", settings.bootstrapServers())));
            assertThat(calibration.get("labels").asLong()).isEqualTo(audited + lowConfidence);
            // the annotators chose B: the low-confidence B verdicts agree, the audited A verdicts do not
            assertThat(calibration.get("agreement").asDouble())
                    .isCloseTo(lowConfidence / (double) (audited + lowConfidence), org.assertj.core.data.Offset.offset(1e-9));
            Path star = Files.createTempDirectory("star").resolve("star.jsonl");
            cli(new ExportStarCommand(), "--bootstrap-servers", settings.bootstrapServers(), "--out", star.toString());
            Set<String> rationalePairs = TopicReader.readAll(settings, Topics.RATIONALES).stream().map(ConsumerRecord::key)
                    .collect(Collectors.toSet());
            assertThat(rationalePairs).isNotEmpty().isSubsetOf(labelled);
            assertThat(Files.readAllLines(star)).hasSize(rationalePairs.size());
        }
    }

    /** Simulated annotators: labels_wanted labels (choice B) for each escalation of a pair whose number has this parity. */
    private static void annotate(KafkaProducer<String, HumanLabel> producer, List<EscalationRequest> escalations, int parity,
                                 Set<String> labelled, Map<String, Integer> wanted) throws Exception {
        for (EscalationRequest e : escalations) {
            int i = Integer.parseInt(e.getPairId().substring("pair-".length()));
            if (i % 2 != parity) {
                continue;
            }
            labelled.add(e.getPairId());
            wanted.put(e.getPairId(), e.getLabelsWanted());
            for (int a = 0; a < e.getLabelsWanted(); a++) {
                HumanLabel l = HumanLabel.newBuilder().setLabelId(e.getEscalationId() + "-" + a).setPairId(e.getPairId())
                        .setAnnotatorId("sim-" + a).setChoice(Choice.B).setEscalationId(e.getEscalationId())
                        .setSource(LabelSource.SIMULATED).setCreatedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(Topics.HUMAN_LABELS.name(), l.getPairId(), l)).get();
            }
        }
    }

    /** Runs a CLI command as the launcher would, returning what it printed. */
    private static String cli(Object command, String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(command).execute(args)).isZero();
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** Every expected pair has a preference, and each labelled one counts all its labels. */
    private static boolean done(Map<String, PreferenceLabel> latest, Set<String> expected, Set<String> labelled,
                                Map<String, Integer> wanted) {
        return latest.keySet().equals(expected)
                && labelled.stream().allMatch(id -> latest.get(id).getNAnnotators() == wanted.get(id));
    }

    /** The current preference of each pair: the highest label_version. */
    private static Map<String, PreferenceLabel> latest(KafkaSettings settings) {
        Map<String, PreferenceLabel> out = new HashMap<>();
        for (ConsumerRecord<String, PreferenceLabel> r : TopicReader.readAll(settings, Topics.PREFERENCES)) {
            out.merge(r.key(), r.value(), (a, b) -> b.getLabelVersion() >= a.getLabelVersion() ? b : a);
        }
        return out;
    }
}
