package dev.rlaif.router.budget;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HumanBudgetTest {

    @Test
    void shareGrowsWithPriority() {
        assertThat(HumanBudget.share(0)).isEqualTo(0.5);
        assertThat(HumanBudget.share(1)).isEqualTo(0.75);
        assertThat(HumanBudget.share(2)).isEqualTo(1.0);
    }

    @Test
    void bookingsSpillIntoLaterSlotsAndAnOversizedRequestTakesAnEmptySlot() {
        HumanBudget b = new HumanBudget(4, Duration.ofHours(1));
        Map<Long, Long> booked = new HashMap<>();
        long now = Duration.ofHours(10).toMillis() + 5;
        for (int i = 0; i < 3; i++) {
            long slot = b.slotFor(now, 2.0, 2, s -> booked.getOrDefault(s, 0L));
            booked.merge(slot, 2L, Long::sum);
        }
        assertThat(booked).containsEntry(10L, 4L).containsEntry(11L, 2L);
        // wants 6 > capacity 4: books the first empty slot rather than waiting forever
        assertThat(b.slotFor(now, 2.0, 6, s -> booked.getOrDefault(s, 0L))).isEqualTo(12L);
        assertThat(b.slotStart(12)).isEqualTo(Duration.ofHours(12).toMillis());
    }
}
