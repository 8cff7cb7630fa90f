package dev.rlaif.judge.llm;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Caps the requests in flight to the model server without blocking a thread: {@link #acquire()} returns a future
 * that completes when a permit is free, in arrival order. (resilience4j's Bulkhead blocks or rejects; the judge
 * wants to queue.)
 */
public final class AsyncLimiter {

    private final int permits;
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int used;

    public AsyncLimiter(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        this.permits = permits;
    }

    public CompletableFuture<Void> acquire() {
        synchronized (this) {
            if (used < permits) {
                used++;
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            waiting.add(f);
            return f;
        }
    }

    /** Hands the permit to the longest waiter, or returns it. */
    public void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                used--;
            }
        }
        if (next != null) {
            next.complete(null);
        }
    }

    public synchronized int inUse() {
        return used;
    }

    public synchronized int queued() {
        return waiting.size();
    }
}
