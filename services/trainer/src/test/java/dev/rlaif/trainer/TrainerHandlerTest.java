package dev.rlaif.trainer;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.consume.Input;
import dev.rlaif.common.consume.Output;
import dev.rlaif.common.consume.ServiceFailure;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.RewardModelVersion;
import dev.rlaif.trainer.round.RoundRunner;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trainer as a handler, without a broker or DJL: when records are done, rounds, and the bounded retry. */
class TrainerHandlerTest {

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<Output> written = new ArrayList<>();

    private final ConsumerRuntime.Control control = new ConsumerRuntime.Control() {
        @Override
        public Map<TopicPartition, Long> positions() {
            return Map.of(new TopicPartition("preferences", 0), 42L);
        }

        @Override
        public boolean caughtUp() {
            return true;
        }

        @Override
        public CompletableFuture<Void> write(List<Output> outputs) {
            written.addAll(outputs);
            return CompletableFuture.completedFuture(null);
        }
    };

    private TrainerConfig config() {
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", dir.toString(), "RLAIF_TRAINER_MIN_LABELS", "3",
                "RLAIF_TRAINER_MAX_WAIT", "PT10S", "RLAIF_TRAINER_MIN_INTERVAL", "PT1S"));
        return TrainerConfig.fromEnv(env, new KafkaSettings("localhost:1", null, 1, (short) 1, dir));
    }

    private static RoundRunner.Outcome outcome(String version, Map<String, Long> offsets) {
        RewardModelVersion v = RewardModelVersion.newBuilder().setVersion(version).setPath("/m/" + version)
                .setPublished(true).setDataOffsets(offsets).setCreatedAt(Instant.EPOCH).build();
        return new RoundRunner.Outcome(v, true, "ok", 0.1);
    }

    private static Input<PreferenceLabel> input(long offset, int i) {
        return new Input<>(new ConsumerRecord<>("preferences", 0, offset, null, new byte[0]), "pair-" + i,
                TrainerServiceTest.label(i, 1, PreferenceSource.AI)); // AI labels: none is held out as gold
    }

    @Test
    void freshLabelsAreDoneOnlyOnceARoundTrainedOnThemAndWasAnnounced() throws Exception {
        List<Map<String, Long>> rounds = new ArrayList<>();
        TrainerHandler h = new TrainerHandler(config(), Map.of("0", 2L), (train, gold, offsets) -> {
            rounds.add(offsets);
            return outcome("v" + rounds.size(), offsets);
        }, new TrainerHandler.Listener() { }, 5, now::get);

        List<CompletionStage<List<Output>>> done = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            done.add(h.handle(input(i, i)));
        }
        // offsets 0 and 1 were trained on by the last version: replayed into the buffer, done at once
        assertThat(done.subList(0, 2)).allMatch(f -> f.toCompletableFuture().isDone());
        assertThat(done.subList(2, 6)).noneMatch(f -> f.toCompletableFuture().isDone());
        assertThat(h.idle()).isFalse();

        now.addAndGet(2_000);
        h.tick(control);
        assertThat(rounds).containsExactly(Map.of("0", 42L));
        assertThat(written).singleElement().satisfies(o -> {
            assertThat(o.topic()).isEqualTo(Topics.MODEL_VERSIONS.name());
            assertThat(o.key()).isEqualTo("v1");
        });
        assertThat(done).allMatch(f -> f.toCompletableFuture().isDone());
        assertThat(h.idle()).isTrue();
    }

    @Test
    void aFailingRoundIsRetriedWithBackoffThenStopsTheService() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        TrainerHandler h = new TrainerHandler(config(), Map.of(), (train, gold, offsets) -> {
            attempts.incrementAndGet();
            throw new java.io.IOException("disk full");
        }, new TrainerHandler.Listener() { }, 3, now::get);
        for (int i = 0; i < 4; i++) {
            h.handle(input(i, i));
        }
        now.addAndGet(2_000);
        h.tick(control); // failure 1
        assertThat(attempts).hasValue(1);
        now.addAndGet(1_500);
        h.tick(control); // backoff 1 s after the first failure: runs again, failure 2
        assertThat(attempts).hasValue(2);
        now.addAndGet(1_500);
        h.tick(control); // backoff now 2 s: not yet
        assertThat(attempts).hasValue(2);
        now.addAndGet(1_000);
        assertThatThrownBy(() -> h.tick(control)).isInstanceOf(ServiceFailure.class)
                .hasMessageContaining("failed 3 times in a row").hasRootCauseMessage("disk full");
        assertThat(attempts).hasValue(3); // bounded: never retried forever
        assertThat(written).isEmpty();
    }
}
