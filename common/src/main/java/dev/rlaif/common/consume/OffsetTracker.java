package dev.rlaif.common.consume;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Which offsets of each partition may be committed, when records finish out of order: every dispatched offset is
 * pending until its Judgment is acknowledged by the broker, and the committable position of a partition is just
 * past the longest run of finished offsets from the oldest pending one. So a crash re-judges at most the pairs
 * that were in flight, and never skips one. Completion may come from any thread; draining and resets happen on the
 * consumer thread. A partition's {@link Track} is replaced on reassignment or rewind, so late completions of an old
 * track change nothing.
 */
final class OffsetTracker {

    /** The pending offsets of one partition in one assignment. */
    static final class Track {
        private final ConcurrentSkipListMap<Long, Boolean> pending = new ConcurrentSkipListMap<>();
        private volatile boolean failed;

        /** Marks an offset's work as durable. */
        void complete(long offset) {
            pending.replace(offset, Boolean.FALSE, Boolean.TRUE);
        }

        /** Marks that an offset's output could not be written: the partition must be re-read from its oldest pending offset. */
        void fail() {
            failed = true;
        }

        int size() {
            return pending.size();
        }
    }

    private final Map<TopicPartition, Track> tracks = new ConcurrentHashMap<>();

    Track begin(TopicPartition tp, long offset) {
        Track t = tracks.computeIfAbsent(tp, k -> new Track());
        t.pending.put(offset, Boolean.FALSE);
        return t;
    }

    /** Removes finished runs and returns, per partition that advanced, the next offset to consume. */
    Map<TopicPartition, OffsetAndMetadata> drain() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        tracks.forEach((tp, t) -> {
            long next = -1;
            while (true) {
                Map.Entry<Long, Boolean> head = t.pending.firstEntry();
                if (head == null || !head.getValue()) {
                    break;
                }
                t.pending.remove(head.getKey());
                next = head.getKey() + 1;
            }
            if (next >= 0) {
                out.put(tp, new OffsetAndMetadata(next));
            }
        });
        return out;
    }

    /** Partitions whose output failed, with the offset to rewind to; their tracks are dropped. */
    Map<TopicPartition, Long> takeFailed() {
        Map<TopicPartition, Long> out = new HashMap<>();
        tracks.forEach((tp, t) -> {
            if (t.failed) {
                Long oldest = t.pending.isEmpty() ? null : t.pending.firstKey();
                tracks.remove(tp, t);
                if (oldest != null) {
                    out.put(tp, oldest);
                }
            }
        });
        return out;
    }

    /** Whether any dispatched offset of the partition is not yet drained. */
    boolean hasPending(TopicPartition tp) {
        Track t = tracks.get(tp);
        return t != null && !t.pending.isEmpty();
    }

    /** Whether {@code track} is still the partition's live track (not dropped by a rebalance or a rewind). */
    boolean isCurrent(TopicPartition tp, Track track) {
        return tracks.get(tp) == track;
    }

    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(tracks::remove);
    }

    int pending() {
        return tracks.values().stream().mapToInt(Track::size).sum();
    }
}
