package dev.rlaif.labeling.sim;

import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.sim.GoldOracle;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.LabelSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIMULATION ONLY: the demo's simulated annotators label through the HTTP API from the gold oracle, give each task
 * its labels_wanted labels from distinct ids, leave gold-less tasks to people, and idle() turns true once only
 * such tasks remain.
 */
@Tag("broker")
class SimulatedAnnotatorsTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @Test
    void simulatedAnnotatorsDrainWhatTheyCanAndLeaveTheRestToPeople() throws Exception {
        // Gold: B for pairs whose escalation id ends in an even digit, A otherwise; none for "nogold".
        GoldOracle oracle = pair -> pair.getPairId().endsWith("nogold") ? Optional.empty()
                : Optional.of(pair.getPairId().charAt(pair.getPairId().length() - 1) % 2 == 0 ? Choice.B : Choice.A);
        ServiceContext ctx = Fixtures.context(broker.settings());
        ctx.attributes().put(GoldOracle.ATTRIBUTE, oracle);
        List<EscalationRequest> rs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rs.add(Fixtures.escalation("s" + i, EscalationReason.LOW_CONFIDENCE, 0.5, 1 + i % 3, null));
        }
        rs.add(Fixtures.escalation("nogold", EscalationReason.ABSTAIN, 0.9, 1, null));
        rs.add(Fixtures.escalation("far-future", EscalationReason.LOW_CONFIDENCE, 0.9, 1, Instant.now().plus(Duration.ofDays(1))));
        int expected = 4 * (1 + 2 + 3); // 12 tasks wanting 1, 2, 3 labels in turn

        try (LabelingService service = new LabelingService(ctx,
                Fixtures.config(Files.createTempDirectory("labeling-db"), Duration.ofMinutes(5), 0, false, 2), Clock.systemUTC())) {
            service.start();
            Fixtures.produce(broker.settings(), rs);
            await().atMost(Duration.ofSeconds(20)).until(() -> service.queue().snapshot(Instant.now()).tasks().size() == 14);
            await().atMost(Duration.ofSeconds(30)).until(service::idle);

            List<HumanLabel> labels = TopicReader.readAll(broker.settings(), Topics.HUMAN_LABELS).stream().map(r -> r.value()).toList();
            assertThat(labels).hasSize(expected);
            for (HumanLabel l : labels) {
                assertThat(l.getSource()).isEqualTo(LabelSource.SIMULATED);
                assertThat(l.getAnnotatorId()).startsWith(SimulatedAnnotators.ID_PREFIX);
                Choice gold = l.getPairId().charAt(l.getPairId().length() - 1) % 2 == 0 ? Choice.B : Choice.A;
                assertThat(l.getChoice()).as("mapped back to the pair's own terms").isEqualTo(gold);
            }
            assertThat(labels.stream().map(l -> l.getEscalationId() + "/" + l.getAnnotatorId()).distinct().count()).isEqualTo(expected);
            // Left for people: the gold-less task and the deferred one.
            assertThat(service.queue().openCount()).isEqualTo(2);
            assertThat(service.idle()).isTrue();
        }
    }
}
