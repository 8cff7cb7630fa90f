package dev.rlaif.trainer;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.RankedResponse;
import dev.rlaif.schema.RewardModelVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Tag("broker")
class TrainerServiceTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    static final String[] GOOD = {"happy to help", "here is a clear answer", "sure, the steps are", "thanks for asking"};
    static final String[] BAD = {"figure it out yourself", "that is stupid", "go away", "not my problem"};

    static PreferenceLabel label(int i, int version, PreferenceSource source) {
        Random r = new Random(i);
        String topic = "topic" + i;
        return PreferenceLabel.newBuilder()
                .setPairId("pair-" + i)
                .setLabelVersion(version)
                .setPromptId("prompt-" + i)
                .setPrompt(List.of(new ChatMessage("user", "tell me about " + topic)))
                .setChosen(new RankedResponse("g" + i + "a", GOOD[r.nextInt(4)] + " about " + topic, null, 0, 0))
                .setRejected(new RankedResponse("g" + i + "b", BAD[r.nextInt(4)] + " about " + topic, null, 0, 0))
                .setSource(source)
                .setStrength(0.8)
                .setCreatedAt(Instant.now())
                .build();
    }

    static void send(List<PreferenceLabel> labels) throws Exception {
        try (KafkaProducer<String, PreferenceLabel> p = Clients.avroProducer(broker.settings(), "test")) {
            for (PreferenceLabel l : labels) {
                p.send(new ProducerRecord<>(Topics.PREFERENCES.name(), l.getPairId(), l)).get();
            }
        }
    }

    static TrainerConfig config(Path models) {
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", models.toString(), "RLAIF_TRAINER_ENCODER", "hashing-32",
                "RLAIF_TRAINER_HEADS", "2", "RLAIF_TRAINER_MAX_WAIT", "PT1S", "RLAIF_TRAINER_MIN_INTERVAL", "PT0.5S",
                "RLAIF_TRAINER_MAX_STEPS", "40"));
        return TrainerConfig.fromEnv(env, broker.settings());
    }

    static List<RewardModelVersion> versions() {
        return TopicReader.readAll(broker.settings(), Topics.MODEL_VERSIONS).stream().map(ConsumerRecord::value).toList();
    }

    static long lag(String group) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var ends = admin.listOffsets(committed.keySet().stream().collect(java.util.stream.Collectors.toMap(tp -> tp,
                    tp -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            long lag = 0;
            for (var e : committed.entrySet()) {
                lag += ends.get(e.getKey()).offset() - e.getValue().offset();
            }
            return lag;
        }
    }

    @Test
    void trainsPublishesAndResumesWithoutDuplication(@TempDir Path models) throws Exception {
        List<PreferenceLabel> first = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(label(i, 1, i % 2 == 0 ? PreferenceSource.HUMAN : PreferenceSource.AI));
        }
        send(first);
        TrainerConfig cfg = config(models);
        TrainerService service = new TrainerService(broker.settings(), cfg, new SimpleMeterRegistry());
        service.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> versions().size() >= 1 && service.idle());
            RewardModelVersion v1 = versions().get(0);
            assertThat(v1.getPublished()).isTrue();
            assertThat(v1.getDataOffsets().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
            long gold = first.stream().filter(l -> l.getSource() == PreferenceSource.HUMAN
                    && dev.rlaif.common.pair.PairIds.unitHash(l.getPairId()) < cfg.holdoutShare()).count();
            assertThat(v1.getNTrain()).as("gold pairs are never trained on").isEqualTo(40 - gold);
            assertThat(service.store().current().orElseThrow().version()).isEqualTo(v1.getVersion());
        } finally {
            service.close();
        }

        // restart: nothing new, so no new round
        TrainerService again = new TrainerService(broker.settings(), cfg, new SimpleMeterRegistry());
        again.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(again::idle);
            Thread.sleep(2500);
            assertThat(versions()).hasSize(1);
            // a newer label version of a known pair replaces the old one: a round, same number of pairs; it comes
            // in a transaction (as from the exactly-once merger), whose commit marker must not leave lag behind
            PreferenceLabel relabel = label(1, 2, PreferenceSource.AI);
            Map<String, Object> pc = Clients.producerConfig(broker.settings(), "tx-test");
            pc.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test");
            try (KafkaProducer<String, PreferenceLabel> tx = new KafkaProducer<>(pc, new org.apache.kafka.common.serialization.StringSerializer(),
                    dev.rlaif.common.serde.AvroSerdes.from(broker.settings()).<PreferenceLabel>serializer())) {
                tx.initTransactions();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>(Topics.PREFERENCES.name(), relabel.getPairId(), relabel));
                tx.commitTransaction();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> versions().size() == 2 && again.idle());
            RewardModelVersion v2 = versions().get(1);
            assertThat(v2.getNTrain()).isEqualTo(versions().get(0).getNTrain());
            assertThat(v2.getParent()).isEqualTo(versions().get(0).getVersion());
            assertThat(v2.getDataOffsets().values().stream().mapToLong(Long::longValue).sum()).as("41 records + 1 commit marker")
                    .isEqualTo(42);
            await().atMost(Duration.ofSeconds(20)).until(() -> lag(cfg.groupId()) == 0);
            assertThat(ModelStore.readManifest(models.resolve(v2.getVersion())).dataOffsets()).isEqualTo(v2.getDataOffsets());
        } finally {
            again.close();
        }
    }
}
