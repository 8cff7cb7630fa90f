package dev.rlaif.common.consume;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OffsetTrackerTest {

    private final TopicPartition p0 = new TopicPartition("pairs", 0);
    private final TopicPartition p1 = new TopicPartition("pairs", 1);

    @Test
    void commitsOnlyTheContiguousFinishedRun() {
        OffsetTracker tracker = new OffsetTracker();
        var t = tracker.begin(p0, 10);
        tracker.begin(p0, 11);
        tracker.begin(p0, 13); // 12 was a transaction marker: offsets need not be contiguous numbers
        t.complete(11);
        t.complete(13);
        assertThat(tracker.drain()).isEmpty(); // 10 still in flight: nothing past it may be committed
        t.complete(10);
        assertThat(tracker.drain().get(p0).offset()).isEqualTo(14);
        assertThat(tracker.pending()).isZero();
        assertThat(tracker.drain()).isEmpty();
    }

    @Test
    void partitionsAdvanceIndependently() {
        OffsetTracker tracker = new OffsetTracker();
        var a = tracker.begin(p0, 0);
        var b = tracker.begin(p1, 5);
        tracker.begin(p1, 6);
        b.complete(5);
        var ready = tracker.drain();
        assertThat(ready).containsOnlyKeys(p1);
        assertThat(ready.get(p1).offset()).isEqualTo(6);
        a.complete(0);
        assertThat(tracker.drain().get(p0).offset()).isEqualTo(1);
    }

    @Test
    void aFailedWriteRewindsToTheOldestPendingOffsetAndLateCompletionsAreIgnored() {
        OffsetTracker tracker = new OffsetTracker();
        var t = tracker.begin(p0, 3);
        tracker.begin(p0, 4);
        t.complete(3);
        assertThat(tracker.drain().get(p0).offset()).isEqualTo(4);
        t.fail();
        assertThat(tracker.takeFailed()).containsEntry(p0, 4L);
        t.complete(4); // late completion of the dropped track
        assertThat(tracker.drain()).isEmpty();
        assertThat(tracker.pending()).isZero();
    }

    @Test
    void revokedPartitionsAreForgotten() {
        OffsetTracker tracker = new OffsetTracker();
        var t = tracker.begin(p0, 1);
        tracker.forget(List.of(p0));
        t.complete(1);
        assertThat(tracker.drain()).isEmpty();
    }
}
