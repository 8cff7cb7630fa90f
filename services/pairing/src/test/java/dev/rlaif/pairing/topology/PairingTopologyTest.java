package dev.rlaif.pairing.topology;

import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.kafka.StreamsApps;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.serde.InMemoryRegistry;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.pairing.PairingConfig;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.PolicyGeneration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PairingTopologyTest {

    @TempDir
    Path state;

    private TopologyTestDriver driver;
    private TestInputTopic<String, PolicyGeneration> generations;
    private TestInputTopic<byte[], byte[]> rawGenerations;
    private TestOutputTopic<String, ComparisonPair> pairs;
    private TestOutputTopic<byte[], byte[]> dlq;
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    @BeforeEach
    void setUp() {
        start(new PairingConfig("pairing-test", 2, Duration.ofHours(1), 100));
    }

    private void start(PairingConfig config) {
        AvroSerdes serdes = AvroSerdes.inMemory(new InMemoryRegistry());
        var props = StreamsApps.properties(new KafkaSettings("dummy:9092", null, 1, (short) 1, state), config.applicationId());
        driver = new TopologyTestDriver(PairingTopology.build(config, serdes), props, t0);
        generations = driver.createInputTopic(Topics.GENERATIONS.name(), new StringSerializer(),
                serdes.<PolicyGeneration>serializer());
        rawGenerations = driver.createInputTopic(Topics.GENERATIONS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        pairs = driver.createOutputTopic(Topics.PAIRS.name(), new StringDeserializer(), serdes.<ComparisonPair>deserializer());
        dlq = driver.createOutputTopic(Topics.GENERATIONS.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static PolicyGeneration gen(String prompt, String id, String response) {
        return PolicyGeneration.newBuilder().setGenerationId(id).setPromptId(prompt)
                .setPrompt(List.of(new ChatMessage("user", "question " + prompt))).setResponse(response)
                .setPolicyModel("policy").setCreatedAt(Instant.EPOCH).setTags(Map.of("src", "test")).build();
    }

    private void send(PolicyGeneration g) {
        generations.pipeInput(g.getPromptId(), g);
    }

    @Test
    void pairsTheSecondDistinctResponseOfAPromptWithTheFirst() {
        send(gen("p1", "g1", "first"));
        assertThat(pairs.isEmpty()).isTrue();
        send(gen("p1", "g2", "second"));
        var out = pairs.readKeyValuesToList();
        assertThat(out).hasSize(1);
        ComparisonPair pair = out.get(0).value;
        assertThat(out.get(0).key).isEqualTo(PairIds.pairId("g1", "g2")).isEqualTo(pair.getPairId());
        assertThat(pair.getA().getGenerationId()).isEqualTo("g1");
        assertThat(pair.getB().getResponse()).isEqualTo("second");
        assertThat(pair.getPrompt()).extracting(ChatMessage::getContent).containsExactly("question p1");
        assertThat(pair.getTags()).containsEntry("src", "test");
    }

    @Test
    void promptsArePairedOnlyWithinThemselves() {
        send(gen("p1", "g1", "same words"));
        send(gen("p2", "g2", "other words"));
        assertThat(pairs.isEmpty()).isTrue();
    }

    @Test
    void eachLaterResponsePairsWithAtMostKEarlierOnes() {
        for (int i = 1; i <= 4; i++) {
            send(gen("p1", "g" + i, "response " + i));
        }
        List<String> ids = pairs.readValuesToList().stream()
                .map(p -> p.getA().getGenerationId() + "-" + p.getB().getGenerationId()).toList();
        assertThat(ids).containsExactly("g1-g2", "g1-g3", "g2-g3", "g2-g4", "g3-g4");
    }

    @Test
    void duplicateIdsAndIdenticalTextsAreNeverPaired() {
        send(gen("p1", "g1", "hello"));
        send(gen("p1", "g1", "hello"));
        send(gen("p1", "g2", "hello"));
        assertThat(pairs.isEmpty()).as("a duplicate id and an identical text form no pair").isTrue();
        send(gen("p1", "g3", "bye"));
        send(gen("p1", "g3", "bye"));
        assertThat(pairs.readValuesToList()).extracting(p -> p.getA().getGenerationId() + "-" + p.getB().getGenerationId())
                .containsExactly("g1-g3");
    }

    @Test
    void promptStateExpiresAfterItsTtl() {
        driver.close();
        start(new PairingConfig("pairing-test", 2, Duration.ofMinutes(10), 100));
        send(gen("p1", "g1", "early"));
        driver.advanceWallClockTime(Duration.ofMinutes(30));
        send(gen("p1", "g2", "late"));
        assertThat(pairs.isEmpty()).as("the first response expired before the second came").isTrue();
    }

    @Test
    void miskeyedRecordsGoToTheDeadLetterTopicWithTheirOriginalBytesAndProcessingGoesOn() {
        // An undeserializable record is skipped here too; TopologyTestDriver does not capture the dead letters of the
        // deserialization handler, so PairingBrokerTest checks that path against a real broker.
        rawGenerations.pipeInput("p1".getBytes(StandardCharsets.UTF_8), "not avro at all".getBytes(StandardCharsets.UTF_8));
        PolicyGeneration miskeyed = gen("p9", "g9", "x");
        generations.pipeInput("wrong-key", miskeyed);
        send(gen("p1", "g1", "a"));
        send(gen("p1", "g2", "b"));

        assertThat(pairs.readValuesToList()).hasSize(1);
        var dead = dlq.readRecordsToList();
        assertThat(dead).hasSize(1);
        var letter = dead.get(0);
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("wrong-key");
        assertThat(letter.value()).isNotEmpty();
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON)).contains("key must be the prompt_id ('p9')");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("generations");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SERVICE)).isEqualTo("pairing-test");
    }
}
