package dev.rlaif.judge.critique;

import dev.rlaif.schema.Critique;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Critiques by critique id (a hash of prompt, response, judge model and critique prompt version), least recently
 * used evicted past {@code capacity}. It holds futures, so a response that appears in several pairs judged at the
 * same time is still critiqued once. A failed or invalid critique is forgotten, so a later pair tries again.
 * Filled at start from the compacted {@code critiques} topic ({@link #preload}), so a restart re-critiques nothing.
 */
public final class CritiqueCache {

    private final Map<String, CompletableFuture<Optional<Critique>>> entries;

    public CritiqueCache(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Optional<Critique>>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** A critique already written (read back from the topic). */
    public synchronized void preload(Critique critique) {
        entries.put(critique.getCritiqueId(), CompletableFuture.completedFuture(Optional.of(critique)));
    }

    /**
     * The cached critique for {@code id}, or the one {@code make} starts; {@code fresh} tells the caller whether it
     * started it (and so must write it).
     */
    public Lookup lookup(String id, Supplier<CompletableFuture<Optional<Critique>>> make) {
        CompletableFuture<Optional<Critique>> started;
        synchronized (this) {
            CompletableFuture<Optional<Critique>> existing = entries.get(id);
            if (existing != null) {
                return new Lookup(existing, false);
            }
            started = new CompletableFuture<>();
            entries.put(id, started);
        }
        make.get().whenComplete((critique, error) -> {
            if (error != null || critique == null || critique.isEmpty()) {
                synchronized (this) {
                    entries.remove(id, started);
                }
                started.complete(Optional.empty());
            } else {
                started.complete(critique);
            }
        });
        return new Lookup(started, true);
    }

    public synchronized int size() {
        return entries.size();
    }

    /** A cache answer: the critique to come, and whether this caller produces it. */
    public record Lookup(CompletableFuture<Optional<Critique>> critique, boolean fresh) {
    }
}
