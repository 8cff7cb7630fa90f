package dev.rlaif.router.calibration;

import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.testing.Fixtures;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.router.RouterService;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.LabelSource;
import dev.rlaif.schema.Verdict;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two router instances on a real broker: each counts the calibration cells of the judge models whose partition it
 * owns, and both end with the whole table, equal to the one {@code ./rlaif calibrate} computes from the topics.
 */
@Tag("broker")
class SharedCalibrationBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static final int MODELS = 6;
    private static final int PAIRS_PER_MODEL = 5;

    @Test
    void bothInstancesSeeEveryJudgeModelsCells() throws Exception {
        KafkaSettings settings = broker.settings();
        Env env = new Env(Map.of("RLAIF_ROUTER_AUDIT_RATE", "1.0"));
        ServiceContext c1 = ServiceContext.of(settings.withStateDir(Files.createTempDirectory("router-1")), env);
        ServiceContext c2 = ServiceContext.of(settings.withStateDir(Files.createTempDirectory("router-2")), env);
        try (RouterService r1 = new RouterService(c1); RouterService r2 = new RouterService(c2)) {
            r1.start();
            r2.start();
            try (KafkaProducer<String, Judgment> judgments = Clients.avroProducer(settings, "test-judge");
                 KafkaProducer<String, HumanLabel> labels = Clients.avroProducer(settings, "test-annotators")) {
                for (int m = 0; m < MODELS; m++) {
                    for (int i = 0; i < PAIRS_PER_MODEL; i++) {
                        String id = "pair-" + m + "-" + i;
                        Judgment j = Fixtures.judgment(id, Verdict.A, 0.55 + 0.1 * (i % 4), true);
                        j.setJudgeModel("judge-" + m);
                        judgments.send(new ProducerRecord<>(Topics.JUDGMENTS.name(), id, j)).get(30, TimeUnit.SECONDS);
                    }
                }
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                        TopicReader.count(settings, Topics.ESCALATIONS.name()) == MODELS * PAIRS_PER_MODEL);
                for (int m = 0; m < MODELS; m++) {
                    for (int i = 0; i < PAIRS_PER_MODEL; i++) {
                        String id = "pair-" + m + "-" + i;
                        HumanLabel l = HumanLabel.newBuilder().setLabelId("l-" + id).setPairId(id).setAnnotatorId("ann")
                                .setChoice(i % 2 == 0 ? Choice.A : Choice.B).setSource(LabelSource.SIMULATED)
                                .setCreatedAt(Instant.now()).build();
                        labels.send(new ProducerRecord<>(Topics.HUMAN_LABELS.name(), id, l)).get(30, TimeUnit.SECONDS);
                    }
                }
            }
            List<EscalationRequest> escalations = TopicReader.readAll(settings, Topics.ESCALATIONS).stream()
                    .map(ConsumerRecord::value).toList();
            List<HumanLabel> humanLabels = TopicReader.readAll(settings, Topics.HUMAN_LABELS).stream()
                    .map(ConsumerRecord::value).toList();
            Calibration expected = OfflineCalibration.compute(escalations, humanLabels, 10);
            assertThat(expected.models()).hasSize(MODELS);

            Calibration t1 = c1.attribute(RouterService.CALIBRATION_ATTRIBUTE, Calibration.class).orElseThrow();
            Calibration t2 = c2.attribute(RouterService.CALIBRATION_ATTRIBUTE, Calibration.class).orElseThrow();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(t1.cells()).isEqualTo(expected.cells());
                assertThat(t2.cells()).isEqualTo(expected.cells());
            });
            // the cells were counted on both sides: each instance owns some models' partition of the repartition topic
            var writers = TopicReader.readAll(settings, Topics.CALIBRATION).stream().map(ConsumerRecord::partition)
                    .distinct().toList();
            assertThat(writers).hasSize(settings.partitions());
        }
    }
}
