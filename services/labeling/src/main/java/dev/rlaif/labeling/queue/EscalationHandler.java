package dev.rlaif.labeling.queue;

import dev.rlaif.common.consume.Input;
import dev.rlaif.common.consume.OffsetStore;
import dev.rlaif.common.consume.Output;
import dev.rlaif.common.consume.RecordFailure;
import dev.rlaif.common.consume.RecordHandler;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.EscalationRequest;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Labeling's consumer of {@code escalations} as a handler and its own offset store, so that tasks and offsets are
 * written together (exactly-once effect): {@link #handle} checks a request (an invalid one is fatal for the record:
 * DLQ with the reason) and stages it; {@link #commit} stores, in one database transaction, the staged tasks below
 * the finished offsets and those offsets. On assignment the consumer is positioned from the stored offsets; Kafka's
 * group offsets are written afterwards only so that the group's lag shows the backlog. All calls come from the
 * runtime's thread.
 */
public final class EscalationHandler implements RecordHandler<EscalationRequest>, OffsetStore {

    private static final Logger log = LoggerFactory.getLogger(EscalationHandler.class);

    private final LabelQueue queue;
    private final TaskDatabase db;
    private final Map<TopicPartition, NavigableMap<Long, EscalationRequest>> staged = new HashMap<>();

    public EscalationHandler(LabelQueue queue, TaskDatabase db) {
        this.queue = queue;
        this.db = db;
    }

    @Override
    public CompletionStage<List<Output>> handle(Input<EscalationRequest> in) {
        String problem = problem(in.value());
        if (problem != null) {
            throw new RecordFailure(problem);
        }
        staged.computeIfAbsent(new TopicPartition(in.topic(), in.partition()), tp -> new TreeMap<>())
                .put(in.offset(), in.value());
        return CompletableFuture.completedFuture(List.of());
    }

    /** Why a decoded request cannot become a task, or null when it can. */
    static String problem(EscalationRequest r) {
        if (r == null) {
            return "null value (tombstone) on escalations";
        }
        if (r.getEscalationId() == null || r.getEscalationId().isBlank()) {
            return "escalation_id is empty";
        }
        if (r.getPair() == null) {
            return "pair is missing";
        }
        if (r.getPair().getA() == null || r.getPair().getB() == null) {
            return "pair.a or pair.b is missing";
        }
        return null;
    }

    @Override
    public void onAssigned(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
        Map<String, Map<Integer, Long>> storedByTopic = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long next = storedByTopic.computeIfAbsent(tp.topic(), db::consumedOffsets).get(tp.partition());
            staged.remove(tp);
            if (next == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, next);
            }
        }
        log.info("consuming {} from stored offsets {}", partitions, storedByTopic);
    }

    /** Stores the staged tasks below {@code offsets} and the offsets in one transaction; a failure stops the service. */
    @Override
    public void commit(Consumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
        Map<String, Map<Integer, Long>> next = new HashMap<>();
        Map<String, List<EscalationRequest>> requests = new HashMap<>();
        offsets.forEach((tp, o) -> {
            next.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp.partition(), o.offset());
            NavigableMap<Long, EscalationRequest> s = staged.get(tp);
            if (s != null) {
                NavigableMap<Long, EscalationRequest> done = s.headMap(o.offset(), false);
                requests.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).addAll(done.values());
            }
        });
        for (Map.Entry<String, Map<Integer, Long>> e : next.entrySet()) {
            int added = queue.ingest(requests.getOrDefault(e.getKey(), List.of()), e.getKey(), e.getValue());
            if (added > 0) {
                log.debug("stored {} new tasks", added);
            }
        }
        offsets.forEach((tp, o) -> {
            NavigableMap<Long, EscalationRequest> s = staged.get(tp);
            if (s != null) {
                s.headMap(o.offset(), false).clear();
            }
        });
        try {
            OffsetStore.commitToGroup(consumer, offsets, false); // lag display only: the database is the truth
        } catch (RuntimeException e) {
            log.debug("committing group offsets (lag display only) failed: {}", e.toString());
        }
    }
}
