package dev.rlaif.router.calibration;

import dev.rlaif.common.kafka.DeadLetterHandler;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.serde.InMemoryRegistry;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.router.RouterConfig;
import dev.rlaif.router.RouterTopology;
import dev.rlaif.schema.CalibrationCell;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.LabelSource;
import dev.rlaif.schema.Verdict;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static dev.rlaif.common.testing.Fixtures.judgment;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The calibration table is shared between router instances through the compacted {@code calibration} topic: the
 * instance that counts a judge model's labels publishes its cells, and another instance, which saw none of those
 * labels, routes with the same table once it has read the topic into its global store.
 */
class SharedCalibrationTopologyTest {

    private final AvroSerdes serdes = AvroSerdes.inMemory(new InMemoryRegistry());
    private final List<TopologyTestDriver> drivers = new ArrayList<>();
    @TempDir
    Path stateDir;

    /** One router instance under a TopologyTestDriver. */
    private final class Instance {
        final Calibration calibration;
        final TopologyTestDriver driver;
        final TestInputTopic<String, Judgment> judgments;
        final TestInputTopic<String, HumanLabel> labels;
        final TestInputTopic<String, CalibrationCell> cellsIn;
        final TestOutputTopic<String, CalibrationCell> cellsOut;
        final TestOutputTopic<String, Judgment> aiLabels;
        final TestOutputTopic<String, EscalationRequest> escalations;

        Instance(RouterConfig config, String name) {
            calibration = new Calibration(config.calibrationBuckets());
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "router-test");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, name + ":1");
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
            p.put("processing.exception.handler.global.enabled", true);
            p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
            p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
            driver = new TopologyTestDriver(RouterTopology.buildTopology(serdes, config, calibration), p, Instant.ofEpochMilli(0));
            drivers.add(driver);
            judgments = driver.createInputTopic(Topics.JUDGMENTS.name(), new StringSerializer(), serdes.serializer());
            labels = driver.createInputTopic(Topics.HUMAN_LABELS.name(), new StringSerializer(), serdes.serializer());
            cellsIn = driver.createInputTopic(Topics.CALIBRATION.name(), new StringSerializer(), serdes.serializer());
            cellsOut = driver.createOutputTopic(Topics.CALIBRATION.name(), new StringDeserializer(), serdes.deserializer());
            aiLabels = driver.createOutputTopic(Topics.AI_LABELS.name(), new StringDeserializer(), serdes.deserializer());
            escalations = driver.createOutputTopic(Topics.ESCALATIONS.name(), new StringDeserializer(), serdes.deserializer());
        }

        void judge(Judgment j) {
            judgments.pipeInput(j.getPairId(), j, Instant.ofEpochMilli(10_000));
        }

        void label(String id, String pair, Choice c) {
            labels.pipeInput(pair, HumanLabel.newBuilder().setLabelId(id).setPairId(pair).setAnnotatorId("ann")
                    .setChoice(c).setSource(LabelSource.ANNOTATOR).setCreatedAt(Instant.ofEpochMilli(20_000)).build());
        }
    }

    @AfterEach
    void close() {
        drivers.forEach(TopologyTestDriver::close);
    }

    @Test
    void cellsCountedByOneInstanceReachAnotherThroughTheCompactedTopic() {
        RouterConfig config = RouterConfig.defaults().withThreshold(0.8).withAuditRate(1.0).withAutoThreshold(true, 2);
        Instance owner = new Instance(config, "owner");
        Instance other = new Instance(config, "other");

        // the owner sees the labels: humans disagree with the AI in the 0.8-0.9 bucket
        owner.judge(judgment("w1", Verdict.A, 0.85, true));
        owner.judge(judgment("w2", Verdict.A, 0.85, true));
        owner.label("m1", "w1", Choice.B);
        owner.label("m2", "w2", Choice.B);
        owner.label("m2", "w2", Choice.B); // a repeated label publishes nothing new

        List<KeyValue<String, CalibrationCell>> published = owner.cellsOut.readKeyValuesToList();
        assertThat(published).hasSize(2);
        KeyValue<String, CalibrationCell> last = published.get(1);
        assertThat(last.key).isEqualTo(Calibration.key("judge-m", 8));
        assertThat(last.value.getLabels()).isEqualTo(2);
        assertThat(last.value.getAgreements()).isZero();
        assertThat(last.value.getBuckets()).isEqualTo(config.calibrationBuckets());
        // the owner's own live table comes from the topic too (its global store reads what it wrote)
        assertThat(owner.calibration.counts("judge-m", 8)).containsExactly(2, 0);

        // before the other instance has read the topic it trusts the configured threshold: an AI label
        other.judge(judgment("before", Verdict.A, 0.86, true));
        assertThat(other.aiLabels.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("before");
        other.escalations.readRecordsToList(); // the audit copy

        // the topic reaches the other instance's global store: same table, same routing as the owner
        published.forEach(kv -> other.cellsIn.pipeInput(kv.key, kv.value));
        assertThat(other.calibration.counts("judge-m", 8)).containsExactly(2, 0);
        assertThat(other.calibration.threshold("judge-m", 0.8, config.targetAccuracy(), 2))
                .isEqualTo(owner.calibration.threshold("judge-m", 0.8, config.targetAccuracy(), 2))
                .isGreaterThan(0.85);
        other.judge(judgment("after", Verdict.A, 0.86, true));
        assertThat(other.aiLabels.isEmpty()).isTrue();
        assertThat(other.escalations.readValuesToList()).singleElement()
                .satisfies(e -> assertThat(e.getReason()).isEqualTo(EscalationReason.LOW_CONFIDENCE));
        // the other instance counted nothing itself, so it published nothing
        assertThat(other.cellsOut.isEmpty()).isTrue();

        KeyValueStore<String, CalibrationCell> view = other.driver.getKeyValueStore(CalibrationView.STORE);
        assertThat(view.get(Calibration.key("judge-m", 8)).getLabels()).isEqualTo(2);
    }

    @Test
    void aCellCountedWithOtherBucketsIsKeptButNotApplied() {
        Instance router = new Instance(RouterConfig.defaults(), "r");
        CalibrationCell foreign = CalibrationCell.newBuilder().setJudgeModel("m").setBucket(3)
                .setBuckets(RouterConfig.defaults().calibrationBuckets() * 2).setLabels(5).setAgreements(1)
                .setUpdatedAt(Instant.EPOCH).build();
        router.cellsIn.pipeInput(Calibration.key("m", 3), foreign);
        assertThat(router.calibration.models()).isEmpty();
        KeyValueStore<String, CalibrationCell> view = router.driver.getKeyValueStore(CalibrationView.STORE);
        assertThat(view.get(Calibration.key("m", 3))).isEqualTo(foreign);
    }
}
