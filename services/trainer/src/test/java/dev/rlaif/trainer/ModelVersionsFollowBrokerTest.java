package dev.rlaif.trainer;

import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.rm.versions.ModelReloader;
import dev.rlaif.rm.versions.ModelVersionsListener;
import dev.rlaif.rm.versions.VersionChecksum;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.RewardModelVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reader (as the judge and the scorer run one) follows the trainer through {@code model-versions} alone (the
 * directory recheck is set to an hour): it serves the version the trainer announces, checked against the event's
 * checksum; an announced version that is half-written on the shared directory is refused, the old model stays, and
 * the next event for it, once the directory is whole, switches.
 */
@Tag("broker")
class ModelVersionsFollowBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @TempDir
    Path models;

    private List<RewardModelVersion> versions() {
        return TopicReader.readAll(broker.settings(), Topics.MODEL_VERSIONS).stream().map(ConsumerRecord::value).toList();
    }

    @Test
    void aReaderServesWhatTheTrainerAnnouncesAndRefusesAHalfWrittenVersion() throws Exception {
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", models.toString(), "RLAIF_TRAINER_ENCODER", "hashing-32",
                "RLAIF_TRAINER_HEADS", "2", "RLAIF_TRAINER_MAX_WAIT", "PT1S", "RLAIF_TRAINER_MIN_INTERVAL", "PT0.5S",
                "RLAIF_TRAINER_MAX_STEPS", "40"));
        TrainerConfig cfg = TrainerConfig.fromEnv(env, broker.settings());
        try (ModelStore readerStore = ModelStore.open(models, () -> new HashingEncoder(32))) {
            ModelReloader reader = ModelReloader.of(readerStore);
            try (ModelVersionsListener listener = new ModelVersionsListener(broker.settings(), reader,
                    Duration.ofHours(1), "test-reader")) {
                listener.start();
                follow(cfg, readerStore, reader);
            }
        }
    }

    private void follow(TrainerConfig cfg, ModelStore readerStore, ModelReloader reader) throws Exception {
        {
            assertThat(reader.get()).isEmpty();

            List<PreferenceLabel> labels = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                labels.add(TrainerServiceTest.label(i, 1, i % 2 == 0 ? PreferenceSource.HUMAN : PreferenceSource.AI));
            }
            try (KafkaProducer<String, PreferenceLabel> p = Clients.avroProducer(broker.settings(), "test")) {
                for (PreferenceLabel l : labels) {
                    p.send(new ProducerRecord<>(Topics.PREFERENCES.name(), l.getPairId(), l)).get(30, TimeUnit.SECONDS);
                }
            }
            RewardModelVersion v1;
            try (TrainerService trainer = new TrainerService(broker.settings(), cfg, new SimpleMeterRegistry())) {
                trainer.start();
                await().atMost(Duration.ofSeconds(90)).until(() -> !versions().isEmpty());
                v1 = versions().get(0);
            }
            assertThat(v1.getPublished()).isTrue();
            assertThat(v1.getChecksum()).isEqualTo(VersionChecksum.of(Path.of(v1.getPath())));
            assertThat(Path.of(v1.getPath())).isAbsolute();
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.version().equals(java.util.Optional.of(v1.getVersion())));

            // an announced version whose weights are only half there on the shared directory
            Path v1Dir = Path.of(v1.getPath());
            ModelManifest m1 = ModelStore.readManifest(v1Dir);
            Path v9 = readerStore.write(m1.withVersion("v000009", v1.getVersion()),
                    EnsembleWeights.read(v1Dir.resolve(EnsembleWeights.FILE)));
            RewardModelVersion event = RewardModelVersion.newBuilder(v1).setVersion("v000009").setParent(v1.getVersion())
                    .setPath(v9.toAbsolutePath().toString()).setChecksum(VersionChecksum.of(v9)).setCreatedAt(Instant.now()).build();
            Path weights = v9.resolve(EnsembleWeights.FILE);
            byte[] whole = Files.readAllBytes(weights);
            Files.write(weights, java.util.Arrays.copyOf(whole, whole.length / 2), StandardOpenOption.TRUNCATE_EXISTING);
            announce(event);
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.pendingVersion().equals(java.util.Optional.of("v000009")));
            assertThat(reader.get().map(RewardModel::version)).as("the old model is still served").contains(v1.getVersion());

            // the copy completes; the next event for it switches
            Files.write(weights, whole, StandardOpenOption.TRUNCATE_EXISTING);
            announce(event);
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.version().equals(java.util.Optional.of("v000009")));
            assertThat(reader.pendingVersion()).isEmpty();
        }
    }

    private void announce(RewardModelVersion event) throws Exception {
        try (KafkaProducer<String, RewardModelVersion> p = Clients.avroProducer(broker.settings(), "test-announcer")) {
            p.send(new ProducerRecord<>(Topics.MODEL_VERSIONS.name(), event.getVersion(), event)).get(30, TimeUnit.SECONDS);
        }
    }
}
