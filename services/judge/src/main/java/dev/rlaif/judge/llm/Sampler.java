package dev.rlaif.judge.llm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets k sampled answers to one prompt: one request with {@code n = k} while the server honours {@code n}, else k
 * parallel single-answer requests. It learns which: a server that rejects {@code n > 1} (TGI, some
 * llama.cpp builds) with a 400 or 422, or silently returns fewer answers than asked (Ollama) is asked with {@code n = 1} from then on,
 * and the missing answers of the current call are fetched in parallel.
 */
public final class Sampler {

    private static final Logger log = LoggerFactory.getLogger(Sampler.class);

    private final ChatEndpoint endpoint;
    private final AtomicBoolean nSupported;

    public Sampler(ChatEndpoint endpoint, boolean tryN) {
        this.endpoint = endpoint;
        this.nSupported = new AtomicBoolean(tryN);
    }

    public CompletableFuture<ChatResult> sample(ChatRequest request) {
        if (request.n() == 1 || !nSupported.get()) {
            return parallel(request, request.n());
        }
        return endpoint.send(request).handle((result, error) -> {
            if (error != null) {
                if (Retryability.mayRejectN(error)) {
                    disableN("rejected n=" + request.n() + " with HTTP " + Retryability.status(error));
                    return parallel(request, request.n());
                }
                return CompletableFuture.<ChatResult>failedFuture(error);
            }
            int missing = request.n() - result.texts().size();
            if (missing > 0) {
                disableN("returned " + result.texts().size() + " answers for n=" + request.n());
                return parallel(request, missing).thenApply(result::plus);
            }
            if (missing < 0) {
                return CompletableFuture.completedFuture(trim(result, request.n()));
            }
            return CompletableFuture.completedFuture(result);
        }).thenCompose(f -> f);
    }

    public boolean nSupported() {
        return nSupported.get();
    }

    private void disableN(String why) {
        if (nSupported.compareAndSet(true, false)) {
            log.warn("model server {}: asking for one answer per request from now on, in parallel", why);
        }
    }

    private CompletableFuture<ChatResult> parallel(ChatRequest request, int count) {
        List<CompletableFuture<ChatResult>> calls = new ArrayList<>();
        ChatRequest single = request.withN(1);
        for (int i = 0; i < count; i++) {
            calls.add(endpoint.send(single));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            ChatResult all = ChatResult.empty();
            for (CompletableFuture<ChatResult> c : calls) {
                all = all.plus(trim(c.join(), 1));
            }
            return all;
        });
    }

    private static ChatResult trim(ChatResult r, int n) {
        return r.first(n);
    }
}
