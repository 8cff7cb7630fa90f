package dev.rlaif.router.budget;

import dev.rlaif.schema.EscalationRequest;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Instant;

/**
 * Applies the {@link HumanBudget} to escalations. All escalations reach it under one key through a single-partition
 * repartition topic, so one task sees the whole budget; bookings live in the store {@value #STORE}
 * (slot -> labels booked), so a restart keeps them. Emits the escalation re-keyed by pair id, with
 * {@code not_before} set to the start of its slot when that slot lies in the future.
 */
public final class BudgetProcessor extends ContextualProcessor<String, EscalationRequest, String, EscalationRequest> {

    /** Bookings per slot. */
    public static final String STORE = "router-budget";

    private final HumanBudget budget;
    private KeyValueStore<Long, Long> slots;

    public BudgetProcessor(HumanBudget budget) {
        this.budget = budget;
    }

    @Override
    public void init(org.apache.kafka.streams.processor.api.ProcessorContext<String, EscalationRequest> context) {
        super.init(context);
        slots = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, EscalationRequest> record) {
        EscalationRequest e = record.value();
        long now = record.timestamp();
        long current = budget.slotOf(now);
        forgetBefore(current);
        long slot = budget.slotFor(now, e.getPriority(), e.getLabelsWanted(), s -> {
            Long v = slots.get(s);
            return v == null ? 0 : v;
        });
        Long used = slots.get(slot);
        slots.put(slot, (used == null ? 0 : used) + e.getLabelsWanted());
        if (slot > current) {
            e.setNotBefore(Instant.ofEpochMilli(budget.slotStart(slot)));
        }
        context().forward(record.withKey(e.getPairId()).withValue(e));
    }

    private void forgetBefore(long current) {
        try (KeyValueIterator<Long, Long> old = slots.range(0L, current - 1)) {
            java.util.List<Long> keys = new java.util.ArrayList<>();
            old.forEachRemaining(kv -> keys.add(kv.key));
            keys.forEach(slots::delete);
        }
    }
}
