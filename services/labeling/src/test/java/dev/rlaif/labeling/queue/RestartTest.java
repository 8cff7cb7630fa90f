package dev.rlaif.labeling.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingConfig;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.labeling.sim.AnnotatorClient;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stops the service mid-way and restarts it on the same database directory: no task, lease or label is lost or
 * duplicated, escalations produced while it was down are picked up once, and labels stored but not acknowledged by
 * Kafka before a crash are published exactly once.
 */
@Tag("broker")
class RestartTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @Test
    void restartLosesAndDuplicatesNothing() throws Exception {
        Path dbDir = Files.createTempDirectory("labeling-db");
        LabelingConfig config = Fixtures.config(dbDir, Duration.ofMinutes(5), 0, false, 0);
        HttpClient http = AnnotatorClient.newHttpClient();
        List<EscalationRequest> first = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            first.add(Fixtures.escalation("r-" + i, EscalationReason.POSITION_INCONSISTENT, 1.0 - i / 100.0, 2, null));
        }
        Fixtures.produce(broker.settings(), first);

        String aliceLease;
        String firstLease = null;
        try (LabelingService s1 = new LabelingService(Fixtures.context(broker.settings()), config, Clock.systemUTC())) {
            s1.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> s1.queue().openCount() == 10);
            AnnotatorClient alice = new AnnotatorClient(http, s1.baseUrl(), Fixtures.ALICE);
            for (int i = 0; i < 4; i++) {
                JsonNode t = alice.next().orElseThrow();
                if (i == 0) {
                    firstLease = t.get("lease_id").asText();
                }
                assertThat(alice.submit(t.get("lease_id").asText(), "before-" + i, "A", null, 1).status()).isEqualTo(200);
            }
            // Alice holds a lease when the service stops.
            aliceLease = alice.next().orElseThrow().get("lease_id").asText();
        }

        // While it is down: more escalations, and the same ones again (a producer retry, say).
        List<EscalationRequest> second = new ArrayList<>();
        for (int i = 10; i < 15; i++) {
            second.add(Fixtures.escalation("r-" + i, EscalationReason.LOW_CONFIDENCE, 0.5, 1, null));
        }
        second.add(first.get(0));
        Fixtures.produce(broker.settings(), second);

        // A crash between storing and publishing: one label stored, not on the topic; another on the topic, not marked.
        try (TaskDatabase db = TaskDatabase.open(dbDir)) {
            LabelQueue q = new LabelQueue(db, config.leaseTimeout(), config::labelsWanted);
            Instant now = Instant.now();
            Assignment b1 = q.next("bob", now).orElseThrow();
            q.submit("bob", false, b1.lease().leaseId(), "crash-unsent", Choice.B, null, 1, now);
            Assignment b2 = q.next("bob", now).orElseThrow();
            SubmitResult sent = q.submit("bob", false, b2.lease().leaseId(), "crash-sent", Choice.A, null, 1, now);
            try (KafkaProducer<String, HumanLabel> p = Clients.avroProducer(broker.settings(), "crash-sim")) {
                p.send(new ProducerRecord<>(Topics.HUMAN_LABELS.name(), sent.label().pairId(), LabelPublisher.toRecord(sent.label()))).get();
            }
            assertThat(q.unpublishedCount()).isEqualTo(2);
        }

        try (LabelingService s2 = new LabelingService(Fixtures.context(broker.settings()), config, Clock.systemUTC())) {
            s2.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> s2.queue().snapshot(Instant.now()).tasks().size() == 15);
            assertThat(s2.queue().unpublishedCount()).isZero();
            AnnotatorClient alice = new AnnotatorClient(http, s2.baseUrl(), Fixtures.ALICE);
            AnnotatorClient bob = new AnnotatorClient(http, s2.baseUrl(), Fixtures.BOB);
            // Alice's lease survived the restart.
            JsonNode held = alice.next().orElseThrow();
            assertThat(held.get("lease_id").asText()).isEqualTo(aliceLease);
            // Resubmitting a label from before the restart is recognised, not duplicated.
            AnnotatorClient.Reply again = alice.submit(firstLease, "before-0", "A", null, 1);
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.body().get("status").asText()).isEqualTo("duplicate");
            for (AnnotatorClient c : List.of(alice, bob)) {
                Optional<JsonNode> t;
                while ((t = c.next()).isPresent()) {
                    assertThat(c.submit(t.get().get("lease_id").asText(), java.util.UUID.randomUUID().toString(), "B", null, 1)
                            .status()).isEqualTo(200);
                }
            }
            assertThat(s2.queue().openCount()).isZero();
        }

        List<HumanLabel> labels = TopicReader.readAll(broker.settings(), Topics.HUMAN_LABELS).stream().map(r -> r.value()).toList();
        // 10 tasks x 2 + 5 tasks x 1 = 25 labels, each once.
        assertThat(labels).hasSize(25);
        assertThat(labels).extracting(HumanLabel::getLabelId).doesNotHaveDuplicates()
                .contains("before-0", "before-3", "crash-unsent", "crash-sent");
        assertThat(labels.stream().map(l -> l.getEscalationId() + "/" + l.getAnnotatorId()).distinct().count()).isEqualTo(25);
    }
}
