package dev.rlaif.labeling.gold;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingConfig;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.labeling.sim.AnnotatorClient;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.HumanLabel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service with gold items on, against a real broker: a gold answer is taken like a label but never reaches
 * {@code human-labels}; it shows in the admin stats and metrics, and a restart keeps it counted once.
 */
@Tag("broker")
class GoldServiceTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @Test
    void goldAnswersAreScoredAndNeverPublished() throws Exception {
        Path work = Files.createTempDirectory("labeling-gold");
        Path goldFile = work.resolve("gold.jsonl");
        // Pairwise format with a label, one of the formats the dataset readers take; the tie is left out.
        Files.writeString(goldFile, """
                {"id": "g1", "prompt": "What is the boiling point of water at sea level?", "response_a": "About 100 degrees Celsius.", "response_b": "About 50 degrees Celsius.", "label": "A"}
                {"id": "g2", "prompt": "Say hi", "response_a": "hi", "response_b": "hello", "label": "TIE"}
                """);
        ServiceContext context = ServiceContext.of(broker.settings(), new Env(Map.of(
                "RLAIF_LABELING_GOLD_RATE", "1", "RLAIF_LABELING_GOLD_DATA", goldFile.toString())));
        LabelingConfig config = Fixtures.config(work.resolve("db"), Duration.ofMinutes(5), 0, false, 0);
        Fixtures.produce(broker.settings(), List.of(
                Fixtures.escalation("e-1", EscalationReason.LOW_CONFIDENCE, 0.9, 1, null),
                Fixtures.escalation("e-2", EscalationReason.LOW_CONFIDENCE, 0.5, 1, null)));
        HttpClient http = AnnotatorClient.newHttpClient();
        String goldPair;
        try (LabelingService s = new LabelingService(context, config, Clock.systemUTC())) {
            s.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> s.queue().openCount() == 2);
            AnnotatorClient alice = new AnnotatorClient(http, s.baseUrl(), Fixtures.ALICE);
            AnnotatorClient admin = new AnnotatorClient(http, s.baseUrl(), Fixtures.ADMIN);

            JsonNode gold = alice.next().orElseThrow();
            assertThat(gold.get("escalation_id").asText()).isNotIn("e-1", "e-2");
            goldPair = gold.get("pair_id").asText();
            String right = gold.get("responses").get("A").get("text").asText().startsWith("About 100") ? "A" : "B";
            AnnotatorClient.Reply g = alice.submit(gold.get("lease_id").asText(), "alice-1", right, null, 1200);
            assertThat(g.status()).isEqualTo(200);

            JsonNode real = alice.next().orElseThrow();
            assertThat(real.get("escalation_id").asText()).isEqualTo("e-1");
            AnnotatorClient.Reply r = alice.submit(real.get("lease_id").asText(), "alice-2", "A", null, 900);
            assertThat(r.status()).isEqualTo(200);
            // The same answer fields and status for both.
            assertThat(fields(g.body())).isEqualTo(fields(r.body()));
            assertThat(g.body().get("status").asText()).isEqualTo(r.body().get("status").asText());
            assertThat(r.body().get("labels_by_you").asInt()).isEqualTo(2);
            assertThat(alice.get("/api/stats/me").body().get("labels").asInt()).isEqualTo(2);

            // Only the real label is on the topic (a submit answers after the topic acknowledged it).
            List<HumanLabel> labels = TopicReader.readAll(broker.settings(), Topics.HUMAN_LABELS).stream()
                    .map(x -> x.value()).toList();
            assertThat(labels).extracting(HumanLabel::getLabelId).containsExactly("alice-2");
            assertThat(labels).extracting(HumanLabel::getPairId).doesNotContain(goldPair);

            JsonNode row = aliceRow(admin);
            assertThat(row.get("gold_answers").asInt()).isEqualTo(1);
            assertThat(row.get("gold_accuracy").asDouble()).isEqualTo(1.0);
            assertThat(row.get("gold_accuracy_low").asDouble()).isBetween(0.0, 1.0);
            String metrics = new String(http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(s.baseUrl() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            assertThat(metrics).contains("rlaif_labeling_gold_accuracy{annotator=\"alice\"").contains(
                    "rlaif_labeling_queue_depth_by_reason{reason=\"LOW_CONFIDENCE\"} 1.0");
        }
        try (LabelingService s = new LabelingService(context, config, Clock.systemUTC())) {
            s.start();
            AnnotatorClient admin = new AnnotatorClient(http, s.baseUrl(), Fixtures.ADMIN);
            JsonNode row = aliceRow(admin);
            assertThat(row.get("gold_answers").asInt()).as("counted once after a restart").isEqualTo(1);
            assertThat(row.get("labels").asInt()).isEqualTo(1);
            // The one gold item was served to alice already: she now gets the remaining real task.
            AnnotatorClient alice = new AnnotatorClient(http, s.baseUrl(), Fixtures.ALICE);
            assertThat(alice.next().orElseThrow().get("escalation_id").asText()).isEqualTo("e-2");
            assertThat(TopicReader.readAll(broker.settings(), Topics.HUMAN_LABELS)).hasSize(1);
        }
    }

    private static JsonNode aliceRow(AnnotatorClient admin) throws Exception {
        for (JsonNode n : admin.get("/api/stats/annotators").body().get("annotators")) {
            if (n.get("annotator_id").asText().equals("alice")) {
                return n;
            }
        }
        throw new AssertionError("no row for alice");
    }

    private static Set<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return Set.copyOf(out);
    }
}
