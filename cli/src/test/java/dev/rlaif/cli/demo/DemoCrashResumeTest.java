package dev.rlaif.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.cli.ChildJvm;
import dev.rlaif.cli.Rlaif;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo killed with SIGKILL mid-replay, then again while annotators label, and started again each time with the
 * same command on the same state directory, ends with the summary of an uninterrupted run: every generation once,
 * every pair judged, escalated, labeled and settled once, no human label twice, nothing dead-lettered.
 *
 * <p>A SIGKILL of the demo kills its embedded broker too, mid-transaction; the restarted broker once in four runs held a
 * transaction its coordinator no longer knew, and the router waited on it for ever. The demo now aborts such hanging
 * transactions ({@code HangingTransactionSweeper}); this test is where that shows.
 *
 * <p>Training is off ({@code RLAIF_TRAINER_MIN_LABELS} above the run's size), so the reward-model judge abstains
 * on every pair and the uninterrupted summary is known exactly: N pairs, N escalations, N labels, N preferences.
 */
@Tag("broker")
class DemoCrashResumeTest {

    private static final int N = 30;

    @Test
    void aDemoKilledTwiceAndRestartedEndsWithTheUninterruptedSummary(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state");
        List<String> args = List.of("demo", "--limit", String.valueOf(N), "--rate", "1", "--no-bootstrap", "--state-dir", state.toString(),
                "--ui-port", "0", "--drain-timeout", "PT8M", "--env", "RLAIF_TRAINER_MIN_LABELS=10000");

        // 1: killed mid-replay, once some but not all generations are in
        try (ChildJvm first = start(dir, "run1", args)) {
            String bootstrap = awaitBootstrap(first);
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                    .until(() -> rawCount(bootstrap, "generations") >= N / 2 || !first.isAlive());
            assertThat(rawCount(bootstrap, "generations")).as("killed mid-replay").isLessThan(2 * N);
            first.kill();
        }

        // 2: resumes, killed again once annotators' labels arrive (or it finishes first: then nothing to kill)
        try (ChildJvm second = start(dir, "run2", args)) {
            String bootstrap = awaitBootstrap(second);
            assertThat(second.stderr()).contains("resuming on");
            long before = rawCount(bootstrap, "human-labels");
            try {
                await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(500))
                        .until(() -> !second.isAlive() || rawCount(bootstrap, "human-labels") > before);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(diagnosis(bootstrap, second, state), e);
            }
            second.kill();
            reportSweeps("run2", second);
        }

        // 3: runs to the end
        try (ChildJvm third = start(dir, "run3", args)) {
            assertThat(third.process().waitFor(12, TimeUnit.MINUTES)).as("the resumed demo ends").isTrue();
            assertThat(third.process().exitValue()).as(third.stderr()).isZero();
            reportSweeps("run3", third);
            List<String> lines = third.stdout().lines().toList();
            JsonNode s = Json.read(lines.get(lines.size() - 1)).get("summary");
            assertThat(s.get("drained").asBoolean()).isTrue();
            assertThat(s.get("generations").asLong()).isEqualTo(2L * N);
            assertThat(s.get("pairs").asLong()).isEqualTo(N);
            assertThat(s.get("judgments").asLong()).isEqualTo(N);
            assertThat(s.get("escalations").asLong()).isEqualTo(N);
            assertThat(s.get("human_labels").asLong()).isEqualTo(N);
            assertThat(s.get("duplicate_human_labels").asLong()).isZero();
            assertThat(s.get("preferences").asLong()).isEqualTo(N);
            assertThat(s.get("open_escalations").asLong()).isZero();
            assertThat(s.get("dlq").asLong()).as(deadLetters(dir, state)).isZero();
        }
    }

    /** Every line of the three runs' consoles and of the third-party log that tells of a dead-lettered record. */
    private static String deadLetters(Path dir, Path state) {
        StringBuilder b = new StringBuilder("dead-lettered records, as the runs logged them:\n");
        List<Path> logs = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.walk(dir.resolve("logs"))) {
            files.filter(java.nio.file.Files::isRegularFile).sorted().forEach(logs::add);
        } catch (java.io.IOException e) {
            b.append(e).append('\n');
        }
        logs.add(state.resolve("demo.log"));
        for (Path log : logs) {
            try {
                if (java.nio.file.Files.exists(log)) {
                    java.nio.file.Files.readAllLines(log).stream()
                            .filter(l -> l.contains("dead-letter") || l.contains(".dlq"))
                            .limit(20).forEach(l -> b.append(log.getFileName()).append(": ").append(l, 0, Math.min(600, l.length())).append('\n'));
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                b.append(log).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    /** The demo's own lines about hanging transactions it aborted, into the test's report. */
    private static void reportSweeps(String run, ChildJvm demo) {
        demo.stderr().lines().filter(l -> l.contains("hanging transaction")).forEach(l -> System.out.println(run + ": " + l));
    }

    /** What a stuck resumed demo was doing: the topics' counts, its console and its third-party log's warnings. */
    private static String diagnosis(String bootstrap, ChildJvm demo, Path state) {
        StringBuilder b = new StringBuilder("the resumed demo labeled nothing new.\n");
        for (String topic : List.of("generations", "pairs", "judgments", "escalations", "human-labels", "preferences")) {
            try {
                b.append(topic).append(": ").append(rawCount(bootstrap, topic)).append('\n');
            } catch (RuntimeException e) {
                b.append(topic).append(": ").append(e).append('\n');
            }
        }
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            b.append("hanging transactions (any idle time): ")
                    .append(dev.rlaif.common.kafka.HangingTransactions.find(admin, Duration.ZERO, Duration.ofSeconds(30))).append('\n');
        } catch (RuntimeException e) {
            b.append("hanging transactions: ").append(e).append('\n');
        }
        b.append("--- console:\n").append(demo.stderr(), Math.max(0, demo.stderr().length() - 6000), demo.stderr().length());
        try {
            java.nio.file.Path log = state.resolve("demo.log");
            if (java.nio.file.Files.exists(log)) {
                b.append("\n--- demo.log warnings:\n");
                java.nio.file.Files.readAllLines(log).stream().filter(l -> l.contains("WARN") || l.contains("ERROR"))
                        .filter(l -> !l.contains("NetworkClient")).limit(60)
                        .forEach(l -> b.append(l, 0, Math.min(400, l.length())).append('\n'));
            }
        } catch (java.io.IOException e) {
            b.append(e);
        }
        return b.toString();
    }

    private static ChildJvm start(Path dir, String name, List<String> args) throws Exception {
        return ChildJvm.start(name, dir.resolve("logs"), Map.of(), List.of("-Xmx1g"), Rlaif.class.getName(), args);
    }

    private static String awaitBootstrap(ChildJvm child) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> child.findInStderr("kafka bootstrap: (\\S+)") != null || !child.isAlive());
        String bootstrap = child.findInStderr("kafka bootstrap: (\\S+)");
        assertThat(bootstrap).as("the demo printed its broker:\n" + child.stderr()).isNotNull();
        return bootstrap;
    }

    /** Committed records of a topic, as bytes: the test never opens the demo's schema journal. */
    private static long rawCount(String bootstrap, String topic) {
        return TopicReader.count(new KafkaSettings(bootstrap, null, 3, (short) 1, Path.of(".")), topic);
    }
}
