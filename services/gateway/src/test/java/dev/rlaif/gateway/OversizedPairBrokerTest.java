package dev.rlaif.gateway;

import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.pairing.PairingConfig;
import dev.rlaif.pairing.service.PairingService;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.PolicyGeneration;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11's wedge: two valid generations of one prompt, each about 900 KB of CJK text (so each fits Kafka's 1 MiB
 * default), make a pair of about 1.5 MB that can never be written. Written straight to Kafka (the gateway would
 * refuse them, see {@code SizeGuard}), the pair must land in {@code generations.dlq} with its reason and source, and
 * the pairs after it must still flow.
 */
@Tag("broker")
class OversizedPairBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static PairingService pairing;

    @BeforeAll
    static void start() {
        pairing = new PairingService(new PairingConfig("pairing-big", 4, Duration.ofHours(1), 100),
                ServiceContext.of(broker.settings(), new Env(Map.of())));
        pairing.start();
    }

    @AfterAll
    static void stop() {
        pairing.close();
    }

    private static PolicyGeneration generation(String prompt, String promptText, String id, String response) {
        return PolicyGeneration.newBuilder().setGenerationId(id).setPromptId(prompt)
                .setPrompt(List.of(new ChatMessage("user", promptText))).setResponse(response).setPolicyModel("m")
                .setPolicyVersion("").setCreatedAt(Instant.now()).setTags(Map.of()).build();
    }

    private static String cjk(int chars, int seed) {
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            sb.append((char) (0x4E00 + (i * 31 + seed) % 20000));
        }
        return sb.toString();
    }

    @Test
    void aPairTooLargeForKafkaLandsInTheDeadLetterTopicAndTheNextPairsStillFlow() throws Exception {
        // 100,000 prompt chars and 200,000 response chars: within every per-field limit, 3 bytes each in UTF-8.
        String promptText = cjk(100_000, 1);
        PolicyGeneration big1 = generation("huge", promptText, "huge-1", cjk(200_000, 2));
        PolicyGeneration big2 = generation("huge", promptText, "huge-2", cjk(200_000, 3));
        Map<String, Object> cfg = Clients.producerConfig(broker.settings(), "big-writer");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, PolicyGeneration>(cfg,
                new org.apache.kafka.common.serialization.StringSerializer(),
                dev.rlaif.common.serde.AvroSerdes.from(broker.settings()).<PolicyGeneration>serializer())) {
            assertThat(cfg.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).isNull();
            producer.send(new ProducerRecord<>(Topics.GENERATIONS.name(), "huge", big1)).get();
            producer.send(new ProducerRecord<>(Topics.GENERATIONS.name(), "huge", big2)).get();
            for (int p = 0; p < 5; p++) {
                producer.send(new ProducerRecord<>(Topics.GENERATIONS.name(), "after" + p, generation("after" + p, "q", "after" + p + "-1", "one"))).get();
                producer.send(new ProducerRecord<>(Topics.GENERATIONS.name(), "after" + p, generation("after" + p, "q", "after" + p + "-2", "two"))).get();
            }
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> TopicReader.readAll(broker.settings(), Topics.PAIRS).stream()
                .map(r -> r.value().getPromptId())
                .filter(id -> id.startsWith("after")).distinct().count() == 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> !TopicReader.readRaw(broker.settings(), Topics.GENERATIONS.dlq()).isEmpty());
        var letters = TopicReader.readRaw(broker.settings(), Topics.GENERATIONS.dlq());
        assertThat(letters).hasSize(1);
        var letter = letters.get(0);
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON)).contains("pairs").contains("RecordTooLarge");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("generations");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SERVICE)).isEqualTo("pairing-big");
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("huge");
        assertThat(letter.value().length).as("the input generation, whole").isGreaterThan(850_000);
        assertThat(TopicReader.readAll(broker.settings(), Topics.PAIRS))
                .noneMatch(r -> r.key().equals(PairIds.pairId("huge-1", "huge-2")));
    }
}
