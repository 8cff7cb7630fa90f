package dev.rlaif.labeling.gold;

import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.queue.Assignment;
import dev.rlaif.labeling.queue.LabelQueue;
import dev.rlaif.labeling.queue.LeaseResult;
import dev.rlaif.labeling.queue.SubmitResult;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Gold items in the queue against a real H2 store: the rate, the scoring, no labels from gold, restarts. */
@Tag("unit")
class GoldQueueTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path dir;

    static List<GoldItem> items(int n) {
        List<GoldItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new GoldItem("gold-" + i, List.of(new ChatMessage("user", "question " + i)),
                    "good answer " + i, "bad answer " + i));
        }
        return out;
    }

    static LabelQueue queue(TaskDatabase db, List<GoldItem> items, double rate, long seed) {
        return new LabelQueue(db, LEASE, (r, n) -> n, new GoldPolicy(items, rate, new SplittableRandom(seed), r -> true));
    }

    static void addTasks(LabelQueue q, int n) {
        List<EscalationRequest> rs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rs.add(Fixtures.escalation("t-" + i, EscalationReason.LOW_CONFIDENCE, 0.5, 1, null));
        }
        q.ingest(rs, "escalations", Map.of(0, (long) n));
    }

    static boolean isGold(Assignment a) {
        return !a.request().getEscalationId().startsWith("t-");
    }

    /** The shown side (A = left) holding the better response of a gold task: what a right answer clicks. */
    static Choice rightShownChoice(Assignment a) {
        String left = a.aOnLeft() ? a.request().getPair().getA().getResponse() : a.request().getPair().getB().getResponse();
        return left.startsWith("good") ? Choice.A : Choice.B;
    }

    @Test
    void servesGoldAtTheConfiguredRate() {
        int n = 1000;
        double rate = 0.2;
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            LabelQueue q = queue(db, items(3000), rate, 7);
            addTasks(q, n);
            int gold = 0;
            for (int i = 0; i < n; i++) {
                Assignment a = q.next("alice", T0).orElseThrow();
                gold += isGold(a) ? 1 : 0;
                assertThat(q.submit("alice", false, a.lease().leaseId(), "l-" + i, Choice.A, null, 1, T0).stored()).isTrue();
            }
            // Binomial(1000, 0.2): mean 200, sd 12.6; 5 sd either side is a bound a correct rate misses with
            // probability below 1e-6 (whatever the seed), while a rate of 0.13 or 0.27 lies outside it.
            assertThat(gold).isBetween(137, 263);
            assertThat(q.goldScore("alice").answered()).isEqualTo(gold);
        }
    }

    @Test
    void rateZeroServesNoGold() {
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            LabelQueue q = queue(db, items(10), 0.0, 1);
            addTasks(q, 50);
            for (int i = 0; i < 50; i++) {
                Assignment a = q.next("alice", T0).orElseThrow();
                assertThat(isGold(a)).isFalse();
                q.submit("alice", false, a.lease().leaseId(), "l-" + i, Choice.A, null, 1, T0);
            }
            assertThat(q.goldServed()).isZero();
        }
    }

    @Test
    void answersAreScoredInBothSideOrdersAndNeverBecomeLabels() {
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            LabelQueue q = queue(db, items(200), 1.0, 3);
            addTasks(q, 1);
            Set<String> orders = new HashSet<>();
            Set<Boolean> betterOnPairA = new HashSet<>();
            int right = 0;
            for (int i = 0; i < 200; i++) {
                Assignment a = q.next("alice", T0).orElseThrow();
                assertThat(isGold(a)).as("rate 1 while a real task is due").isTrue();
                orders.add(a.lease().order());
                // the simulation's view of the known answer agrees with the text
                assertThat(q.goldAnswer(a.request().getEscalationId()).orElseThrow().name())
                        .isEqualTo(a.request().getPair().getA().getResponse().startsWith("good") ? "A" : "B");
                betterOnPairA.add(a.request().getPair().getA().getResponse().startsWith("good"));
                // Even-numbered serves answered right, odd ones wrong.
                Choice good = rightShownChoice(a);
                Choice answer = i % 2 == 0 ? good : good == Choice.A ? Choice.B : Choice.A;
                right += i % 2 == 0 ? 1 : 0;
                SubmitResult r = q.submit("alice", false, a.lease().leaseId(), "l-" + i, answer, null, 1, T0);
                assertThat(r.status()).isEqualTo(SubmitResult.Status.ACCEPTED);
                assertThat(r.gold()).isTrue();
            }
            assertThat(orders).containsExactlyInAnyOrder("AB", "BA");
            assertThat(betterOnPairA).containsExactlyInAnyOrder(true, false);
            GoldScore s = q.goldScore("alice");
            assertThat(s.answered()).isEqualTo(200);
            assertThat(s.correct()).isEqualTo(right);
            // Nothing from gold is a label: none to publish, none in the stats' labels, one "label" counted for the page.
            assertThat(q.unpublished()).isEmpty();
            assertThat(q.unpublishedCount()).isZero();
            assertThat(q.snapshot(T0).labels()).isEmpty();
            assertThat(q.labelCount("alice")).isEqualTo(200);
            // Every item served once: the real task comes back when the gold set is used up.
            Assignment real = q.next("alice", T0).orElseThrow();
            assertThat(isGold(real)).isFalse();
            assertThat(q.goldServed()).isEqualTo(200);
        }
    }

    @Test
    void tieOnGoldCountsAsWrong() {
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            LabelQueue q = queue(db, items(1), 1.0, 5);
            addTasks(q, 1);
            Assignment a = q.next("alice", T0).orElseThrow();
            assertThat(isGold(a)).isTrue();
            q.submit("alice", false, a.lease().leaseId(), "l-1", Choice.TIE, null, 1, T0);
            assertThat(q.goldScore("alice")).isEqualTo(new GoldScore("alice", 1, 0));
        }
    }

    @Test
    void restartKeepsCountsLeasesAndServedItems() {
        String held;
        String answeredLease;
        GoldScore before;
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            LabelQueue q = queue(db, items(4), 1.0, 11);
            addTasks(q, 1);
            Assignment a = q.next("alice", T0).orElseThrow();
            answeredLease = a.lease().leaseId();
            q.submit("alice", false, answeredLease, "l-1", rightShownChoice(a), null, 1, T0);
            Assignment b = q.next("alice", T0).orElseThrow();
            q.submit("alice", false, b.lease().leaseId(), "l-2", rightShownChoice(b) == Choice.A ? Choice.B : Choice.A,
                    null, 1, T0);
            Assignment c = q.next("alice", T0).orElseThrow();
            assertThat(q.skip("alice", c.lease().leaseId(), T0)).isEqualTo(LeaseResult.OK);
            held = q.next("alice", T0).orElseThrow().lease().leaseId();
            before = q.goldScore("alice");
            assertThat(before).isEqualTo(new GoldScore("alice", 2, 1));
        }
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            LabelQueue q = queue(db, items(4), 1.0, 11);
            assertThat(q.goldScore("alice")).isEqualTo(before);
            assertThat(q.labelCount("alice")).isEqualTo(2);
            // A resent answer is a duplicate, not a second count; another label_id on the same item is refused.
            assertThat(q.submit("alice", false, answeredLease, "l-1", Choice.A, null, 1, T0).status())
                    .isEqualTo(SubmitResult.Status.DUPLICATE);
            assertThat(q.submit("alice", false, answeredLease, "l-9", Choice.A, null, 1, T0).status())
                    .isEqualTo(SubmitResult.Status.CONFLICT);
            assertThat(q.goldScore("alice")).isEqualTo(before);
            // The held gold lease comes back (a reloaded page shows the same task).
            Assignment again = q.next("alice", T0).orElseThrow();
            assertThat(again.lease().leaseId()).isEqualTo(held);
            assertThat(isGold(again)).isTrue();
            q.submit("alice", false, held, "l-3", rightShownChoice(again), null, 1, T0);
            // All four items were served once: alice now gets the real task, bob still gets gold.
            Assignment real = q.next("alice", T0).orElseThrow();
            assertThat(isGold(real)).isFalse();
            // Gold stands in only for a task that is due to this annotator: bob gets one once alice hands it back.
            assertThat(q.next("bob", T0)).isEmpty();
            assertThat(q.release("alice", real.lease().leaseId(), T0)).isEqualTo(LeaseResult.OK);
            assertThat(isGold(q.next("bob", T0).orElseThrow())).isTrue();
            assertThat(q.goldScore("alice")).isEqualTo(new GoldScore("alice", 3, 2));
        }
        try (TaskDatabase db = TaskDatabase.open(dir)) {
            assertThat(db.loadGold()).hasSize(5);
            assertThat(db.loadGold().stream().filter(g -> g.annotatorId().equals("alice")).map(g -> g.goldId()).distinct())
                    .hasSize(4);
        }
    }
}
