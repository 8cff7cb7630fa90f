package dev.rlaif.judge.llm;

import com.openai.errors.InternalServerException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Tells transient model-server failures (worth a retry, and counted by the circuit breaker) from permanent ones.
 * Transient: timeouts and I/O errors, 408, 429 and any 5xx, and a call refused by the open circuit breaker (the
 * retry's backoff gives it time to half-open). Permanent: every other 4xx (bad request, unknown model, bad key).
 */
public final class Retryability {

    private Retryability() {
    }

    public static boolean isTransient(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof RateLimitException || e instanceof InternalServerException || e instanceof OpenAIIoException
                || e instanceof CallNotPermittedException || e instanceof TimeoutException || e instanceof IOException) {
            return true;
        }
        if (e instanceof OpenAIServiceException s) {
            int status = s.statusCode();
            return status == 408 || status == 429 || status >= 500;
        }
        return e.getCause() != null && e.getCause() != e && (e.getCause() instanceof IOException
                || e.getCause() instanceof TimeoutException);
    }

    /** Whether the model server is failing (what the circuit breaker counts): transient, but not its own refusals. */
    public static boolean isServerFailure(Throwable error) {
        return isTransient(error) && !(unwrap(error) instanceof CallNotPermittedException);
    }

    /** The wait a server asked for in a {@code Retry-After} header (seconds form), in ms; -1 when none. */
    public static long retryAfterMillis(Throwable error) {
        if (unwrap(error) instanceof OpenAIServiceException s) {
            for (String v : s.headers().values("retry-after")) {
                try {
                    return Math.max(0, Math.round(Double.parseDouble(v.trim()) * 1000));
                } catch (NumberFormatException e) {
                    return -1; // an HTTP date: fall back to the exponential backoff
                }
            }
        }
        return -1;
    }

    /** Whether a 4xx answer to a request with {@code n > 1} may mean the server does not do {@code n}. */
    public static boolean mayRejectN(Throwable error) {
        int status = status(error);
        return status == 400 || status == 422;
    }

    /** The HTTP status of a server error, or 0. */
    public static int status(Throwable error) {
        return unwrap(error) instanceof OpenAIServiceException s ? s.statusCode() : 0;
    }

    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
