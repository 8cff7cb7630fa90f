package dev.rlaif.common.kafka;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ThreadReplacementsTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void replacesWithDoublingBackoffThenShutsDownAfterTheBound() {
        ManualClock clock = new ManualClock();
        List<Long> waits = new ArrayList<>();
        ThreadReplacements policy = new ThreadReplacements("app", clock, waits::add);
        RuntimeException boom = new RuntimeException("registry down");
        for (int i = 0; i < ThreadReplacements.MAX_REPLACEMENTS; i++) {
            assertThat(policy.handle(boom)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.now = clock.now.plusMillis(waits.get(i) + 100);
        }
        assertThat(waits).startsWith(250L, 500L, 1_000L, 2_000L).endsWith(30_000L);
        assertThat(policy.handle(boom)).as("never an endless retry").isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    }

    @Test
    void failuresFarApartStartTheCountAgain() {
        ManualClock clock = new ManualClock();
        List<Long> waits = new ArrayList<>();
        ThreadReplacements policy = new ThreadReplacements("app", clock, waits::add);
        for (int i = 0; i < 3 * ThreadReplacements.MAX_REPLACEMENTS; i++) {
            assertThat(policy.handle(new RuntimeException("rare"))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            clock.now = clock.now.plus(ThreadReplacements.QUIET).plus(Duration.ofSeconds(1));
        }
        assertThat(waits).containsOnly(250L);
    }
}
