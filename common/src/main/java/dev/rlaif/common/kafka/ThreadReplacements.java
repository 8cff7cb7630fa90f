package dev.rlaif.common.kafka;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/**
 * The uncaught-exception policy of every Streams application: a failed stream thread is replaced (its task is
 * processed again from the last commit, exactly once), after a backoff that doubles from {@value #FIRST_BACKOFF_MS} ms
 * up to {@value #MAX_BACKOFF_MS} ms, so a dependency that is down (the schema registry, say) is not hammered. Failures
 * more than {@link #QUIET} apart start the count again. After {@value #MAX_REPLACEMENTS} failures in a row the
 * application is shut down instead (its state turns ERROR, the service's health DOWN, and a standalone service exits
 * non-zero): a failure that survives about two minutes of retries is the service's, not a passing one.
 */
final class ThreadReplacements implements StreamsUncaughtExceptionHandler {

    static final int MAX_REPLACEMENTS = 10;
    static final long FIRST_BACKOFF_MS = 250;
    static final long MAX_BACKOFF_MS = 30_000;
    static final Duration QUIET = Duration.ofMinutes(5);

    /** How the handler waits (a test passes one that records instead of sleeping). */
    interface Sleeper {
        void sleep(long millis);
    }

    private static final Logger log = LoggerFactory.getLogger(ThreadReplacements.class);

    private final String app;
    private final Clock clock;
    private final Sleeper sleeper;
    private int failures;
    private long lastFailure = Long.MIN_VALUE;

    ThreadReplacements(String app, Clock clock, Sleeper sleeper) {
        this.app = app;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        long backoff;
        synchronized (this) {
            long now = clock.millis();
            if (lastFailure != Long.MIN_VALUE && now - lastFailure > QUIET.toMillis()) {
                failures = 0;
            }
            lastFailure = now;
            failures++;
            if (failures > MAX_REPLACEMENTS) {
                log.error("{}: stream thread failed {} times in a row; shutting the application down", app, failures - 1, exception);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            backoff = backoff(failures);
        }
        log.error("{}: stream thread failed (failure {} of at most {} in a row); replacing it in {} ms", app, failures,
                MAX_REPLACEMENTS, backoff, exception);
        sleeper.sleep(backoff);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /** The wait before the {@code n}th replacement in a row (1-based). */
    static long backoff(int n) {
        return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(n - 1, 20));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
