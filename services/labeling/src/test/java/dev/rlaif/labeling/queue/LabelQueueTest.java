package dev.rlaif.labeling.queue;

import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue's rules against a real H2 database on disk, with the clock passed in. */
@Tag("unit")
class LabelQueueTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path dir;
    TaskDatabase db;
    LabelQueue queue;

    @BeforeEach
    void open() {
        db = TaskDatabase.open(dir);
        queue = new LabelQueue(db, LEASE, (reason, n) -> reason == EscalationReason.AUDIT ? 1 : Math.max(1, n));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void add(EscalationRequest... rs) {
        queue.ingest(List.of(rs), "escalations", Map.of(0, (long) rs.length));
    }

    @Test
    void highestPriorityFirstAndNeverBeyondOverlap() {
        add(Fixtures.escalation("low", EscalationReason.LOW_CONFIDENCE, 0.1, 1, null),
                Fixtures.escalation("high", EscalationReason.LOW_CONFIDENCE, 0.9, 2, null));
        Assignment a = queue.next("a1", T0).orElseThrow();
        Assignment b = queue.next("a2", T0).orElseThrow();
        Assignment c = queue.next("a3", T0).orElseThrow();
        assertThat(a.request().getEscalationId()).isEqualTo("high");
        assertThat(b.request().getEscalationId()).isEqualTo("high");
        assertThat(c.request().getEscalationId()).isEqualTo("low");
        // Both tasks are fully leased: a fourth annotator gets nothing.
        assertThat(queue.next("a4", T0)).isEmpty();
        // Asking again returns the same lease, not a second task.
        assertThat(queue.next("a1", T0).orElseThrow().lease().leaseId()).isEqualTo(a.lease().leaseId());
    }

    @Test
    void expiredLeaseReturnsTheTaskAndLateLabelIsAcceptedOnlyIfTheSlotIsFree() {
        add(Fixtures.escalation("e1", EscalationReason.LOW_CONFIDENCE, 0.5, 1, null));
        Assignment first = queue.next("a1", T0).orElseThrow();
        Instant later = T0.plus(LEASE).plusSeconds(1);
        // Expired: the slot is free again, a late label is accepted.
        SubmitResult late = queue.submit("a1", false, first.lease().leaseId(), "l1", Choice.A, null, 1, later);
        assertThat(late.status()).isEqualTo(SubmitResult.Status.ACCEPTED_LATE);

        add(Fixtures.escalation("e2", EscalationReason.LOW_CONFIDENCE, 0.5, 1, null));
        Assignment x = queue.next("a1", T0).orElseThrow();
        assertThat(x.request().getEscalationId()).isEqualTo("e2");
        // a1's lease expires, a2 takes the task: a1's late label is now rejected with a clear message.
        Assignment y = queue.next("a2", later).orElseThrow();
        assertThat(y.request().getEscalationId()).isEqualTo("e2");
        SubmitResult rejected = queue.submit("a1", false, x.lease().leaseId(), "l2", Choice.B, null, 1, later);
        assertThat(rejected.status()).isEqualTo(SubmitResult.Status.CONFLICT);
        assertThat(rejected.message()).contains("expired").contains("taken");
        assertThat(queue.submit("a2", false, y.lease().leaseId(), "l3", Choice.B, null, 1, later).status())
                .isEqualTo(SubmitResult.Status.ACCEPTED);
    }

    @Test
    void submitIsIdempotentAndMapsTheShownChoiceBack() {
        add(Fixtures.escalation("e1", EscalationReason.LOW_CONFIDENCE, 0.5, 3, null));
        int mappedA = 0;
        for (String annotator : List.of("a1", "a2", "a3")) {
            Assignment as = queue.next(annotator, T0).orElseThrow();
            // The annotator presses "A" (left): the stored choice is the pair's side that was shown left.
            SubmitResult r = queue.submit(annotator, false, as.lease().leaseId(), "lab-" + annotator, Choice.A, "why", 10, T0);
            assertThat(r.status()).isEqualTo(SubmitResult.Status.ACCEPTED);
            assertThat(r.label().choice()).isEqualTo(as.aOnLeft() ? "A" : "B");
            mappedA += as.aOnLeft() ? 1 : 0;
            SubmitResult again = queue.submit(annotator, false, as.lease().leaseId(), "lab-" + annotator, Choice.A, "why", 10, T0);
            assertThat(again.status()).isEqualTo(SubmitResult.Status.DUPLICATE);
            assertThat(again.label().labelId()).isEqualTo("lab-" + annotator);
            SubmitResult other = queue.submit(annotator, false, as.lease().leaseId(), "lab2-" + annotator, Choice.B, null, 10, T0);
            assertThat(other.status()).isEqualTo(SubmitResult.Status.CONFLICT);
        }
        assertThat(queue.snapshot(T0).labels()).hasSize(3);
        assertThat(queue.openCount()).isZero();
        assertThat(queue.next("a4", T0)).isEmpty();
    }

    @Test
    void orderIsRandomizedPerAnnotatorAndStable() {
        for (int i = 0; i < 40; i++) {
            add(Fixtures.escalation("e" + i, EscalationReason.LOW_CONFIDENCE, 0.5, 1, null));
        }
        int aLeft = 0;
        for (int i = 0; i < 40; i++) {
            Assignment as = queue.next("a1", T0).orElseThrow();
            aLeft += as.aOnLeft() ? 1 : 0;
            queue.submit("a1", false, as.lease().leaseId(), "l" + i, Choice.TIE, null, 0, T0);
        }
        assertThat(aLeft).isBetween(8, 32);
    }

    @Test
    void skipPassesToOthersReleaseReturnsAndNotBeforeIsHonored() {
        add(Fixtures.escalation("e1", EscalationReason.LOW_CONFIDENCE, 0.5, 1, null),
                Fixtures.escalation("later", EscalationReason.LOW_CONFIDENCE, 0.9, 1, T0.plusSeconds(3600)));
        Assignment a = queue.next("a1", T0).orElseThrow();
        assertThat(a.request().getEscalationId()).isEqualTo("e1");
        assertThat(queue.skip("a1", a.lease().leaseId(), T0)).isEqualTo(LeaseResult.OK);
        assertThat(queue.next("a1", T0)).as("a skipped task never comes back to the same annotator").isEmpty();
        Assignment b = queue.next("a2", T0).orElseThrow();
        assertThat(b.request().getEscalationId()).isEqualTo("e1");
        assertThat(queue.release("a1", b.lease().leaseId(), T0)).isEqualTo(LeaseResult.FORBIDDEN);
        assertThat(queue.release("a2", b.lease().leaseId(), T0)).isEqualTo(LeaseResult.OK);
        assertThat(queue.next("a2", T0).orElseThrow().request().getEscalationId()).isEqualTo("e1");
        // The deferred task appears once its time has come, first because of its priority.
        assertThat(queue.next("a3", T0.plusSeconds(3601)).orElseThrow().request().getEscalationId()).isEqualTo("later");
    }

    @Test
    void everythingSurvivesAReopen() {
        add(Fixtures.escalation("e1", EscalationReason.LOW_CONFIDENCE, 0.5, 2, null),
                Fixtures.escalation("e1", EscalationReason.LOW_CONFIDENCE, 0.5, 2, null));
        Assignment a = queue.next("a1", T0).orElseThrow();
        queue.submit("a1", false, a.lease().leaseId(), "l1", Choice.B, null, 5, T0);
        Assignment b = queue.next("a2", T0).orElseThrow();
        db.close();

        db = TaskDatabase.open(dir);
        queue = new LabelQueue(db, LEASE, (r, n) -> n);
        assertThat(db.consumedOffsets("escalations")).containsEntry(0, 2L);
        assertThat(queue.snapshot(T0).tasks()).hasSize(1);
        assertThat(queue.unpublished()).extracting(l -> l.labelId()).containsExactly("l1");
        // a2 still holds its lease, a1 already labeled: nobody else gets the task.
        assertThat(queue.next("a2", Instant.now()).orElseThrow().lease().leaseId()).isEqualTo(b.lease().leaseId());
        assertThat(queue.next("a1", Instant.now())).isEmpty();
        assertThat(queue.next("a3", Instant.now())).isEmpty();

        // An acknowledgement recorded (batched) survives the next reopen, with the acknowledged offset.
        queue.markPublished(List.of("l1"), "human-labels", Map.of(1, 42L));
        assertThat(queue.unpublishedCount()).isZero();
        queue.flushPublished();
        db.close();
        db = TaskDatabase.open(dir);
        queue = new LabelQueue(db, LEASE, (r, n) -> n);
        assertThat(queue.unpublished()).isEmpty();
        assertThat(db.publishedOffsets("human-labels")).containsEntry(1, 42L);
    }
}
