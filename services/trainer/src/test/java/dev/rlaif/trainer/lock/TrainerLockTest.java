package dev.rlaif.trainer.lock;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.trainer.TrainerConfig;
import dev.rlaif.trainer.TrainerService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One trainer per models directory: a second trainer, in this JVM or in another process, does not start and says
 * who holds the directory; the lock dies with its process (SIGKILL included), so a restarted trainer starts.
 */
class TrainerLockTest {

    @TempDir
    Path models;

    @Test
    void aSecondTrainerInThisJvmIsRefusedUntilTheFirstCloses() {
        try (TrainerLock first = TrainerLock.acquire(models)) {
            assertThat(first.held()).isTrue();
            assertThatThrownBy(() -> TrainerLock.acquire(models))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another trainer holds")
                    .hasMessageContaining(String.valueOf(ProcessHandle.current().pid()));
        }
        try (TrainerLock again = TrainerLock.acquire(models)) {
            assertThat(again.held()).isTrue();
        }
    }

    @Test
    void theTrainerServiceDoesNotStartOnALockedDirectoryAndWritesNothing() throws Exception {
        // no broker is needed: the lock is taken before anything else
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", models.toString(), "RLAIF_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "RLAIF_TRAINER_ENCODER", "hashing-16"));
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        try (TrainerLock held = TrainerLock.acquire(models);
             TrainerService second = new TrainerService(kafka, TrainerConfig.fromEnv(env, kafka), new SimpleMeterRegistry())) {
            assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one trainer per models directory");
            try (var files = Files.list(models)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly(TrainerLock.FILE);
            }
        }
    }

    @Test
    void aTrainerInAnotherProcessHoldsTheLockUntilItIsKilled() throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), models.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("locked"));
            assertThat(line).isEqualTo("locked true");
            assertThatThrownBy(() -> TrainerLock.acquire(models)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(String.valueOf(holder.pid()));

            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no release
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                try (TrainerLock mine = TrainerLock.acquire(models)) {
                    assertThat(mine.held()).isTrue();
                }
            });
        } finally {
            holder.destroyForcibly();
        }
    }
}
