package dev.rlaif.judge.llm;

import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OpenAIOkHttpClientAsync;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ChatEndpoint} on any OpenAI-compatible {@code /v1/chat/completions} server (vLLM, SGLang, TGI, Ollama,
 * llama.cpp, DJL Serving), through the official OpenAI Java SDK's asynchronous OkHttp client. The SDK's own retries
 * are off ({@code maxRetries(0)}): {@link ResilientEndpoint} retries with resilience4j, so there is one retry policy.
 * OkHttp's dispatcher in this SDK allows 64 concurrent requests to one host; more queue inside OkHttp.
 */
public final class OpenAiEndpoint implements ChatEndpoint {

    private final OpenAIClientAsync client;
    private final String model;

    /**
     * @param baseUrl server URL including the API prefix, e.g. {@code http://localhost:8000/v1}
     * @param model   model name the server knows
     * @param apiKey  API key, or null when the server needs none
     * @param timeout per-request timeout
     */
    public OpenAiEndpoint(String baseUrl, String model, String apiKey, Duration timeout) {
        this.model = model;
        this.client = OpenAIOkHttpClientAsync.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey == null || apiKey.isBlank() ? "none" : apiKey)
                .timeout(timeout)
                .maxRetries(0)
                .build();
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    @SuppressWarnings("deprecation") // max_tokens: served by every OpenAI-compatible server, unlike max_completion_tokens
    public CompletableFuture<ChatResult> send(ChatRequest request) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                .model(model)
                .addSystemMessage(request.system())
                .addUserMessage(request.user())
                .temperature(request.temperature())
                .maxTokens((long) request.maxTokens());
        if (request.n() > 1) {
            params.n((long) request.n());
        }
        return client.chat().completions().create(params.build()).thenApply(OpenAiEndpoint::toResult);
    }

    private static ChatResult toResult(ChatCompletion completion) {
        List<String> texts = new ArrayList<>();
        List<Boolean> cutOff = new ArrayList<>();
        for (ChatCompletion.Choice choice : completion.choices()) {
            texts.add(choice.message().content().orElse(""));
            cutOff.add(choice._finishReason().asKnown()
                    .map(ChatCompletion.Choice.FinishReason.LENGTH::equals).orElse(false));
        }
        int prompt = completion.usage().map(u -> (int) u.promptTokens()).orElse(0);
        int generated = completion.usage().map(u -> (int) u.completionTokens()).orElse(0);
        return ChatResult.of(texts, cutOff, prompt, generated);
    }

    @Override
    public void close() {
        client.close();
    }
}
