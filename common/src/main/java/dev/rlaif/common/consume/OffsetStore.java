package dev.rlaif.common.consume;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Map;

/**
 * Where a consumer's progress lives: the positions it starts from when partitions are assigned, and where the
 * offsets of finished records are written. The runtime calls both on its own thread.
 */
public interface OffsetStore {

    /** Positions the consumer on newly assigned partitions (by default: the group's committed offsets). */
    void onAssigned(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions);

    /**
     * Records that everything below each offset is done. A failure thrown here stops the service (its progress can
     * no longer be kept); a Kafka commit that fails asynchronously is only logged, since a later one covers it.
     */
    void commit(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync);

    /** Offsets in the consumer group (Kafka's own store); new partitions start at the group's committed offsets. */
    static OffsetStore kafka() {
        return new OffsetStore() {
            @Override
            public void onAssigned(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
            }

            @Override
            public void commit(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
                commitToGroup(consumer, offsets, sync);
            }
        };
    }

    /**
     * Reads every partition from its beginning at each start (a compacted topic replayed into memory), and commits
     * to the group only so that its lag shows what is left to do.
     */
    static OffsetStore kafkaFromBeginning() {
        return new OffsetStore() {
            @Override
            public void onAssigned(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
                consumer.seekToBeginning(partitions);
            }

            @Override
            public void commit(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
                commitToGroup(consumer, offsets, sync);
            }
        };
    }

    /** Starts at the given positions (beginning where none is given) and commits nothing: a read-only scan. */
    static OffsetStore startingAt(Map<TopicPartition, Long> positions) {
        return new OffsetStore() {
            @Override
            public void onAssigned(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
                for (TopicPartition tp : partitions) {
                    Long p = positions.get(tp);
                    if (p == null) {
                        consumer.seekToBeginning(java.util.List.of(tp));
                    } else {
                        consumer.seek(tp, p);
                    }
                }
            }

            @Override
            public void commit(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
            }
        };
    }

    /** Commits to the consumer's group: synchronously, or asynchronously with a failure only logged. */
    static void commitToGroup(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    LoggerFactory.getLogger(OffsetStore.class)
                            .warn("offset commit of {} failed (a later commit covers it): {}", o, e.toString());
                }
            });
        }
    }
}
