package dev.rlaif.judge.llm;

import java.util.concurrent.CompletableFuture;

/** One asynchronous chat-completions request to a model server; no retries at this level. */
public interface ChatEndpoint extends AutoCloseable {

    /** Sends one request asking for {@code request.n()} answers; the server may return fewer (Ollama ignores n). */
    CompletableFuture<ChatResult> send(ChatRequest request);

    /** Model name, as recorded in Judgments and Critiques. */
    String model();

    @Override
    default void close() {
    }
}
