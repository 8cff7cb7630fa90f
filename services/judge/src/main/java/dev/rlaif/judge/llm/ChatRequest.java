package dev.rlaif.judge.llm;

/**
 * One chat-completions call: a system and a user message, sampled {@code n} times.
 *
 * @param system      system message
 * @param user        user message
 * @param n           number of sampled answers wanted
 * @param temperature sampling temperature
 * @param maxTokens   cap on generated tokens per answer
 */
public record ChatRequest(String system, String user, int n, double temperature, int maxTokens) {

    public ChatRequest {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
    }

    public ChatRequest withN(int count) {
        return new ChatRequest(system, user, count, temperature, maxTokens);
    }
}
