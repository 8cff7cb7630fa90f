package dev.rlaif.labeling.store;

import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.queue.Assignment;
import dev.rlaif.labeling.queue.LabelQueue;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a process (SIGKILL: no shutdown hook, no close) right after the queue answered, and checks that the lease
 * and the label it answered for are in the database file: what group commit promises.
 */
@Tag("unit")
class CrashDurabilityTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    /** The child process: stores two tasks, takes a lease, labels the other task, says so, then waits to be killed. */
    public static void main(String[] args) throws Exception {
        TaskDatabase db = TaskDatabase.open(Path.of(args[0]));
        LabelQueue q = new LabelQueue(db, LEASE, (r, n) -> n);
        q.ingest(List.of(Fixtures.escalation("k1", EscalationReason.LOW_CONFIDENCE, 0.9, 1, null),
                Fixtures.escalation("k2", EscalationReason.LOW_CONFIDENCE, 0.1, 1, null)), "escalations", Map.of(0, 2L));
        Instant now = Instant.now();
        Assignment a = q.next("alice", now).orElseThrow();
        Assignment b = q.next("bob", now).orElseThrow();
        q.submit("bob", false, b.lease().leaseId(), "bob-label", Choice.TIE, null, 1, now);
        System.out.println("ANSWERED " + a.lease().leaseId());
        System.out.flush();
        Thread.sleep(60_000);
    }

    @Test
    void answeredLeasesAndLabelsSurviveAKill() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", CrashDurabilityTest.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String leaseId = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("ANSWERED ")) {
                    leaseId = line.substring(9);
                    break;
                }
            }
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(leaseId).as("child answered").isNotNull();

        try (TaskDatabase db = TaskDatabase.open(dir)) {
            LabelQueue q = new LabelQueue(db, LEASE, (r, n) -> n);
            assertThat(db.consumedOffsets("escalations")).containsEntry(0, 2L);
            assertThat(q.snapshot(Instant.now()).labels()).extracting(l -> l.labelId()).containsExactly("bob-label");
            assertThat(q.unpublished()).hasSize(1);
            assertThat(q.next("alice", Instant.now()).orElseThrow().lease().leaseId()).isEqualTo(leaseId);
            assertThat(q.next("carol", Instant.now())).as("k1 leased by alice, k2 labeled by bob").isEmpty();
        }
    }
}
