package dev.rlaif.labeling.gold;

import dev.rlaif.schema.EscalationRequest;

import java.util.List;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * When and what gold the queue serves: at each new lease, with probability {@code rate}, a gold item this annotator
 * has not been served stands in for the real task that was due, where it can look exactly like it.
 *
 * @param canStandIn whether a gold item can take this real task's place unnoticed (no judge suggestion shown on it:
 *                   a gold item has no judgment to show)
 */
public record GoldPolicy(List<GoldItem> items, double rate, RandomGenerator random,
                         Predicate<EscalationRequest> canStandIn) {

    public GoldPolicy {
        items = List.copyOf(items);
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("gold rate must be in [0, 1], was " + rate);
        }
    }

    /** Draws whether this lease is a gold one. */
    public boolean draw() {
        return rate > 0 && !items.isEmpty() && random.nextDouble() < rate;
    }
}
