package dev.rlaif.router.budget;

import java.time.Duration;
import java.util.function.LongUnaryOperator;

/**
 * The human budget as a booking calendar, free of Kafka. Time is cut into slots ({@code window} long, an hour by
 * default) each holding {@code perHour * window} labels. An escalation books its {@code labels_wanted} into the
 * first slot, from its own time on, that still has room <em>for its priority</em>: the least urgent work may
 * fill only part of a slot, so room stays for more urgent escalations that arrive later in the same slot.
 *
 * <p>Share of a slot an escalation may fill: {@code clamp(0.5 + priority / 4, 0.5, 1)}; with the router's
 * priorities an audit (priority at most 0.5) may fill at most 62.5% of a slot, a low-confidence pair with
 * confidence 0.8 (priority 1.2) 80%, a pair the judge could not decide (priority 2) all of it. An escalation
 * that fits nowhere because it wants more labels than a whole slot holds books an empty slot. Nothing is ever
 * dropped: what does not fit is deferred to a later slot, whose start becomes the escalation's {@code not_before}.
 */
public final class HumanBudget {

    private final double capacity;
    private final long windowMs;

    /** @param perHour labels per hour; must be positive (0 means no budget and no {@code HumanBudget}) */
    public HumanBudget(double perHour, Duration window) {
        if (perHour <= 0) {
            throw new IllegalArgumentException("budget must be positive, was " + perHour);
        }
        this.windowMs = window.toMillis();
        this.capacity = perHour * window.toMillis() / 3_600_000.0;
    }

    /** Labels one slot holds. */
    public double capacity() {
        return capacity;
    }

    /** The slot a time falls in. */
    public long slotOf(long timeMs) {
        return Math.floorDiv(timeMs, windowMs);
    }

    /** When a slot starts. */
    public long slotStart(long slot) {
        return slot * windowMs;
    }

    /** Share of a slot an escalation of this priority may fill. */
    public static double share(double priority) {
        return Math.max(0.5, Math.min(1.0, 0.5 + priority / 4));
    }

    /**
     * The slot to book: the first from {@code timeMs} on where {@code booked(slot) + wanted} fits within this
     * priority's share of the slot (or that is still empty).
     *
     * @param booked labels already booked per slot
     */
    public long slotFor(long timeMs, double priority, int wanted, LongUnaryOperator booked) {
        double limit = share(priority) * capacity;
        long slot = slotOf(timeMs);
        while (true) {
            long used = booked.applyAsLong(slot);
            if (used == 0 || used + wanted <= limit + 1e-9) {
                return slot;
            }
            slot++;
        }
    }
}
