package dev.rlaif.labeling.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.labeling.sim.AnnotatorClient;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.LabelSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The REST API against a real broker: auth, task flow, validation, idempotency, the topic, the DLQ. */
@Tag("broker")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabelingApiTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    static LabelingService service;
    static HttpClient http = AnnotatorClient.newHttpClient();
    static AnnotatorClient alice;
    static AnnotatorClient bob;
    static AnnotatorClient admin;
    static AnnotatorClient stranger;

    @BeforeAll
    static void start() throws Exception {
        service = new LabelingService(Fixtures.context(broker.settings()),
                Fixtures.config(Files.createTempDirectory("labeling-db"), Duration.ofMinutes(5), 0, true, 0), Clock.systemUTC());
        service.start();
        String url = service.baseUrl();
        alice = new AnnotatorClient(http, url, Fixtures.ALICE);
        bob = new AnnotatorClient(http, url, Fixtures.BOB);
        admin = new AnnotatorClient(http, url, Fixtures.ADMIN);
        stranger = new AnnotatorClient(http, url, "not-a-token");
        Fixtures.produce(broker.settings(), List.of(
                Fixtures.escalation("esc-1", EscalationReason.LOW_CONFIDENCE, 0.9, 2, null),
                Fixtures.escalation("esc-audit", EscalationReason.AUDIT, 0.1, 1, null)));
        await().atMost(Duration.ofSeconds(20)).until(() -> service.queue().openCount() == 2);
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    @Order(1)
    void anonymousAndWrongRolesAreRefused() throws Exception {
        assertThat(stranger.get("/api/tasks/next").status()).isEqualTo(401);
        assertThat(stranger.get("/api/tasks/next").body().get("field").asText()).isEqualTo("Authorization");
        assertThat(admin.get("/api/tasks/next").status()).isEqualTo(403);
        assertThat(alice.get("/api/stats/queue").status()).isEqualTo(403);
        assertThat(alice.get("/api/stats/annotators").status()).isEqualTo(403);
        assertThat(alice.get("/api/me").body().get("role").asText()).isEqualTo("annotator");
        assertThat(service.idle()).isTrue();
        assertThat(service.endpoints()).containsKeys("ui", "admin").containsEntry("demo-login",
                "annotator: alice / token: " + Fixtures.ALICE);
        assertThat(alice.get("/health").status()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void labelFlowPublishesMappedLabelBeforeAnswering() throws Exception {
        JsonNode task = alice.next().orElseThrow();
        assertThat(task.get("escalation_id").asText()).isEqualTo("esc-1");
        assertThat(task.get("prompt")).hasSize(3);
        assertThat(task.get("prompt").get(2).get("role").asText()).isEqualTo("user");
        assertThat(task.get("lease_seconds_left").asDouble()).isGreaterThan(290);
        // Suggestions are configured on: shown for a low-confidence task, in this page's terms.
        boolean aLeft = task.get("responses").get("A").get("generation_id").asText().equals("gen-a-esc-1");
        assertThat(task.get("suggestion").get("preferred").asText()).isEqualTo(aLeft ? "A" : "B");
        String lease = task.get("lease_id").asText();

        // Bad input: 400 naming the field; nothing stored.
        AnnotatorClient.Reply bad = alice.post("/api/leases/" + lease + "/submit", "{\"label_id\":\"x1\",\"choice\":\"left\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("field").asText()).isEqualTo("choice");
        assertThat(alice.post("/api/leases/" + lease + "/submit", "{\"choice\":\"A\"}").body().get("field").asText()).isEqualTo("label_id");
        assertThat(alice.post("/api/leases/" + lease + "/submit", "not json").body().get("field").asText()).isEqualTo("body");
        assertThat(bob.submit(lease, "bob-1", "A", null, 1).status()).as("another annotator's lease").isEqualTo(403);
        assertThat(alice.submit("no-such-lease", "x2", "A", null, 1).status()).isEqualTo(404);

        // Alice prefers the right-hand response (shown B).
        AnnotatorClient.Reply ok = alice.submit(lease, "alice-label-1", "B", "A is dangerous", 4200);
        assertThat(ok.status()).isEqualTo(200);
        String expected = aLeft ? "B" : "A";
        assertThat(ok.body().get("choice").asText()).isEqualTo(expected);
        // Answered after the broker acknowledged: the label is on the topic right away.
        List<HumanLabel> labels = TopicReader.readAll(broker.settings(), Topics.HUMAN_LABELS).stream().map(r -> r.value()).toList();
        assertThat(labels).hasSize(1);
        HumanLabel l = labels.get(0);
        assertThat(l.getLabelId()).isEqualTo("alice-label-1");
        assertThat(l.getChoice()).isEqualTo(Choice.valueOf(expected));
        assertThat(l.getAnnotatorId()).isEqualTo("alice");
        assertThat(l.getSource()).isEqualTo(LabelSource.ANNOTATOR);
        assertThat(l.getRationale()).isEqualTo("A is dangerous");
        assertThat(l.getEscalationId()).isEqualTo("esc-1");
        assertThat(l.getTimeSpentMs()).isEqualTo(4200);

        // The same submission again: 200, same label, nothing new on the topic.
        AnnotatorClient.Reply again = alice.submit(lease, "alice-label-1", "B", "A is dangerous", 4200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().get("status").asText()).isEqualTo("duplicate");
        // A second, different label for the same task is rejected.
        assertThat(alice.submit(lease, "alice-label-2", "A", null, 1).status()).isEqualTo(409);
        assertThat(TopicReader.count(broker.settings(), Topics.HUMAN_LABELS.name())).isEqualTo(1);
    }

    @Test
    @Order(3)
    void auditsNeverShowSuggestionsAndSkipPassesTheTaskOn() throws Exception {
        // Alice labeled esc-1 already: she gets the audit, without the AI's view.
        JsonNode audit = alice.next().orElseThrow();
        assertThat(audit.get("escalation_id").asText()).isEqualTo("esc-audit");
        assertThat(audit.get("audit").asBoolean()).isTrue();
        assertThat(audit.get("suggestion").isNull()).isTrue();
        assertThat(alice.skip(audit.get("lease_id").asText()).status()).isEqualTo(200);
        assertThat(alice.next()).isEmpty();
        // Bob gets esc-1 first (higher priority, one slot left), then the audit alice skipped.
        JsonNode t1 = bob.next().orElseThrow();
        assertThat(t1.get("escalation_id").asText()).isEqualTo("esc-1");
        assertThat(bob.release(t1.get("lease_id").asText()).status()).isEqualTo(200);
        assertThat(bob.release(t1.get("lease_id").asText()).status()).isEqualTo(409);
        JsonNode again = bob.next().orElseThrow();
        assertThat(again.get("escalation_id").asText()).isEqualTo("esc-1");
        assertThat(bob.submit(again.get("lease_id").asText(), "bob-1", "TIE", null, 10).status()).isEqualTo(200);
        JsonNode t2 = bob.next().orElseThrow();
        assertThat(t2.get("escalation_id").asText()).isEqualTo("esc-audit");
        assertThat(bob.submit(t2.get("lease_id").asText(), "bob-2", "A", null, 10).status()).isEqualTo(200);
        assertThat(bob.next()).isEmpty();
    }

    @Test
    @Order(4)
    void statsForAdminsAndOwnStatsForAnnotators() throws Exception {
        JsonNode q = admin.get("/api/stats/queue").body();
        assertThat(q.get("depth_by_reason").get("LOW_CONFIDENCE").get("DONE").asInt()).isEqualTo(1);
        assertThat(q.get("depth_by_reason").get("AUDIT").get("DONE").asInt()).isEqualTo(1);
        assertThat(q.get("labels_total").asInt()).isEqualTo(3);
        assertThat(q.get("labels_last_hour").asInt()).isEqualTo(3);
        JsonNode a = admin.get("/api/stats/annotators").body();
        assertThat(a.get("annotators")).hasSize(2);
        assertThat(a.get("audit_labels").asInt()).isEqualTo(1);
        JsonNode me = alice.get("/api/stats/me").body();
        assertThat(me.get("annotator_id").asText()).isEqualTo("alice");
        assertThat(me.get("labels").asInt()).isEqualTo(1);
        assertThat(TopicReader.count(broker.settings(), Topics.HUMAN_LABELS.name())).isEqualTo(3);
    }

    @Test
    @Order(5)
    void corruptEscalationGoesToTheDeadLetterTopic() {
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(Topics.ESCALATIONS.name(), "junk", "not avro".getBytes(StandardCharsets.UTF_8)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> TopicReader.count(broker.settings(), Topics.ESCALATIONS.dlq()) == 1);
        var dead = TopicReader.readRaw(broker.settings(), Topics.ESCALATIONS.dlq()).get(0);
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(new String(dead.headers().lastHeader("dlq.reason").value(), StandardCharsets.UTF_8)).contains("deserialize");
        assertThat(service.queue().openCount()).isZero();
    }
}
