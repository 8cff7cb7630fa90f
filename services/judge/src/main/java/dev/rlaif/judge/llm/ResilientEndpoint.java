package dev.rlaif.judge.llm;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Wraps a {@link ChatEndpoint} with what a shared model server needs: at most {@code maxInFlight} requests at once
 * (the rest wait without holding a thread), resilience4j retries with exponential backoff and jitter on transient
 * failures (timeouts, 429, 5xx; bounded attempts), and a resilience4j circuit breaker that stops calling a failing
 * server and probes it again after a pause. A request that still fails completes exceptionally; the judge turns
 * that into an UNAVAILABLE judgment.
 */
public final class ResilientEndpoint implements ChatEndpoint {

    private static final Logger log = LoggerFactory.getLogger(ResilientEndpoint.class);

    /**
     * @param maxInFlight        requests in flight at most
     * @param maxAttempts        attempts per request, the first included
     * @param initialBackoff     wait before the first retry; doubles each retry, with ±50% jitter
     * @param maxBackoff         cap on one wait
     * @param failureRatePercent circuit opens at this failure rate over the window
     * @param window             calls in the circuit breaker's sliding window (and its minimum before judging)
     * @param openFor            how long the circuit stays open before half-open probes
     */
    public record Policy(int maxInFlight, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                         float failureRatePercent, int window, Duration openFor) {
    }

    private final ChatEndpoint delegate;
    private final AsyncLimiter limiter;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong calls = new AtomicLong();

    public ResilientEndpoint(ChatEndpoint delegate, Policy policy) {
        this.delegate = delegate;
        this.limiter = new AsyncLimiter(policy.maxInFlight());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "judge-llm-retry");
            t.setDaemon(true);
            return t;
        });
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(policy.initialBackoff(), 2.0, 0.5,
                policy.maxBackoff());
        long maxBackoffMs = policy.maxBackoff().toMillis();
        this.retry = Retry.of("judge-llm", RetryConfig.<ChatResult>custom()
                .maxAttempts(policy.maxAttempts())
                .intervalBiFunction((attempt, outcome) -> {
                    long jittered = backoff.apply(attempt);
                    long asked = outcome.isLeft() ? Retryability.retryAfterMillis(outcome.getLeft()) : -1;
                    // a server's Retry-After (429/503) is honoured, within the backoff cap
                    return asked < 0 ? jittered : Math.min(maxBackoffMs, Math.max(jittered, asked));
                })
                .retryOnException(Retryability::isTransient)
                .failAfterMaxAttempts(false)
                .build());
        this.breaker = CircuitBreaker.of("judge-llm", CircuitBreakerConfig.custom()
                .failureRateThreshold(policy.failureRatePercent())
                .slidingWindowSize(policy.window())
                .minimumNumberOfCalls(policy.window())
                .waitDurationInOpenState(policy.openFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                .recordException(Retryability::isServerFailure)
                .build());
        retry.getEventPublisher().onRetry(e -> log.debug("retry {} of an LLM request after {}: {}",
                e.getNumberOfRetryAttempts(), e.getWaitInterval(), e.getLastThrowable().toString()));
        breaker.getEventPublisher().onStateTransition(e -> log.warn("LLM circuit breaker {}", e.getStateTransition()));
    }

    @Override
    public CompletableFuture<ChatResult> send(ChatRequest request) {
        Supplier<CompletableFuture<ChatResult>> limited = () -> limiter.acquire().thenCompose(v -> {
            calls.incrementAndGet();
            CompletableFuture<ChatResult> f;
            try {
                f = delegate.send(request);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            return f.whenComplete((r, e) -> limiter.release());
        });
        Supplier<java.util.concurrent.CompletionStage<ChatResult>> guarded =
                CircuitBreaker.decorateCompletionStage(breaker, limited::get);
        return Retry.decorateCompletionStage(retry, scheduler, guarded).get().toCompletableFuture();
    }

    @Override
    public String model() {
        return delegate.model();
    }

    public CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    /** Requests handed to the server so far (attempts, retries included). */
    public long calls() {
        return calls.get();
    }

    public int inFlight() {
        return limiter.inUse();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        delegate.close();
    }
}
