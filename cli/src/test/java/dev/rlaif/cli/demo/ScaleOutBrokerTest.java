package dev.rlaif.cli.demo;

import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.Datasets;
import dev.rlaif.common.dataset.PreferenceExample;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.ServiceProvider;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.LabelSource;
import dev.rlaif.schema.PolicyGeneration;
import dev.rlaif.schema.PreferenceLabel;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances each of pairing, judge, router and merger, as two deployments of each would run: same application
 * or group id, their own state directories, on one real broker (topics of 2 partitions). They split the partitions
 * (each group has two members, each with partitions of its own), and the pipeline ends with the summary one
 * instance gives: every comparison paired once, judged once, escalated once (the reward-model judge abstains
 * before any model), every pair settled as exactly one preference with all its labels, no dead letter. Half-way
 * (after the escalations, before the labels) one instance of each service stops, and the survivors finish.
 */
@Tag("broker")
class ScaleOutBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static final int COMPARISONS = 30;
    private static final List<String> SCALED = List.of("pairing", "judge", "router", "merger");

    private final List<RlaifService> running = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = running.size() - 1; i >= 0; i--) {
            running.get(i).close();
        }
    }

    @Test
    void twoInstancesOfEachScaledServiceSplitThePartitionsAndSettleEveryPairOnce() throws Exception {
        KafkaSettings settings = broker.settings();
        Map<String, ServiceProvider> providers = new HashMap<>();
        ServiceLoader.load(ServiceProvider.class).forEach(p -> providers.put(p.name(), p));
        assertThat(providers).containsKeys(SCALED.toArray(String[]::new));

        Map<String, List<String>> groups = new HashMap<>();
        for (String name : SCALED) {
            for (int instance = 1; instance <= 2; instance++) {
                Path state = Files.createTempDirectory("rlaif-" + name + "-" + instance);
                ServiceContext context = ServiceContext.of(settings.withStateDir(state), new Env(Map.of()));
                RlaifService service = providers.get(name).create(context);
                service.start();
                running.add(service);
                groups.put(name, service.consumerGroups());
            }
        }

        List<PreferenceExample> examples;
        Path data = SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");
        try (Stream<PreferenceExample> s = Datasets.readPairs(data, DatasetFormat.detect(data))) {
            examples = s.limit(COMPARISONS).toList();
        }
        try (KafkaProducer<String, PolicyGeneration> producer = Clients.avroProducer(settings, "test-policy")) {
            for (PreferenceExample ex : examples) {
                for (PolicyGeneration g : Datasets.toGenerations(ex, "policy-test", Instant.now(), Map.of())) {
                    producer.send(new ProducerRecord<>(Topics.GENERATIONS.name(), g.getPromptId(), g)).get(30, TimeUnit.SECONDS);
                }
            }
        }

        // no model is published, so the judge abstains and every pair goes to humans
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> distinctKeys(settings, Topics.ESCALATIONS.name()) >= COMPARISONS);

        // each scaled group has two members, each holding partitions of its own
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            for (String name : SCALED) {
                for (String group : groups.get(name)) {
                    ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
                    assertThat(d.members()).as(group + " members").hasSize(2);
                    assertThat(d.members()).as(group + " split").allSatisfy(
                            (MemberDescription m) -> assertThat(m.assignment().topicPartitions()).isNotEmpty());
                }
            }
        }

        // one instance of each service goes away: the other takes its partitions over (and its stores, from the
        // changelogs) and finishes the work
        Map<String, RlaifService> firsts = new HashMap<>();
        for (int i = 0; i < running.size(); i += 2) {
            firsts.put(SCALED.get(i / 2), running.get(i));
        }
        for (RlaifService gone : firsts.values()) {
            gone.close();
            running.remove(gone);
        }

        // annotators answer every escalation with the labels it wants
        List<EscalationRequest> escalations = TopicReader.readAll(settings, Topics.ESCALATIONS).stream()
                .map(ConsumerRecord::value).toList();
        Map<String, Integer> wanted = new HashMap<>();
        try (KafkaProducer<String, HumanLabel> producer = Clients.avroProducer(settings, "test-annotators")) {
            for (EscalationRequest e : escalations) {
                wanted.put(e.getPairId(), e.getLabelsWanted());
                for (int a = 0; a < e.getLabelsWanted(); a++) {
                    HumanLabel l = HumanLabel.newBuilder().setLabelId(e.getEscalationId() + "-" + a)
                            .setPairId(e.getPairId()).setAnnotatorId("ann-" + a).setChoice(a % 2 == 0 ? Choice.A : Choice.B)
                            .setEscalationId(e.getEscalationId()).setSource(LabelSource.SIMULATED)
                            .setCreatedAt(Instant.now()).build();
                    producer.send(new ProducerRecord<>(Topics.HUMAN_LABELS.name(), l.getPairId(), l)).get(30, TimeUnit.SECONDS);
                }
            }
        }
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<String, PreferenceLabel> latest = latest(settings);
            return latest.keySet().equals(wanted.keySet())
                    && latest.entrySet().stream().allMatch(e -> e.getValue().getNAnnotators() == wanted.get(e.getKey()));
        });

        // exactly once, stage by stage: no pair formed, judged, escalated or preferred twice, nothing dead-lettered
        assertThat(keys(settings, Topics.PAIRS.name())).hasSize(COMPARISONS).doesNotHaveDuplicates();
        assertThat(keys(settings, Topics.JUDGMENTS.name())).hasSize(COMPARISONS).doesNotHaveDuplicates();
        assertThat(keys(settings, Topics.ESCALATIONS.name())).hasSize(COMPARISONS).doesNotHaveDuplicates();
        assertThat(escalations).extracting(e -> e.getPair().getPromptId())
                .containsExactlyInAnyOrderElementsOf(examples.stream().map(PreferenceExample::id).toList());
        Map<String, List<Integer>> versions = new HashMap<>();
        for (ConsumerRecord<String, PreferenceLabel> r : TopicReader.readAll(settings, Topics.PREFERENCES)) {
            versions.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value().getLabelVersion());
        }
        assertThat(versions).hasSize(COMPARISONS).allSatisfy((id, v) ->
                assertThat(v).isEqualTo(IntStream.rangeClosed(1, v.size()).boxed().toList()));

        try (PipelineProbe probe = new PipelineProbe(settings)) {
            Map<String, Object> summary = probe.summary();
            assertThat(summary).containsEntry("generations", 2L * COMPARISONS)
                    .containsEntry("pairs", (long) COMPARISONS)
                    .containsEntry("judgments", (long) COMPARISONS)
                    .containsEntry("ai_labels", 0L)
                    .containsEntry("escalations", (long) COMPARISONS)
                    .containsEntry("human_labels", wanted.values().stream().mapToLong(Integer::longValue).sum())
                    .containsEntry("preferences", COMPARISONS)
                    .containsEntry("open_escalations", 0)
                    .containsEntry("dlq", 0L);
        }
    }

    private static List<String> keys(KafkaSettings settings, String topic) {
        return TopicReader.readRaw(settings, topic).stream()
                .map(r -> new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    private static long distinctKeys(KafkaSettings settings, String topic) {
        return new HashSet<>(keys(settings, topic)).size();
    }

    private static Map<String, PreferenceLabel> latest(KafkaSettings settings) {
        Map<String, PreferenceLabel> out = new HashMap<>();
        for (ConsumerRecord<String, PreferenceLabel> r : TopicReader.readAll(settings, Topics.PREFERENCES)) {
            out.merge(r.key(), r.value(), (a, b) -> b.getLabelVersion() >= a.getLabelVersion() ? b : a);
        }
        return out;
    }
}
