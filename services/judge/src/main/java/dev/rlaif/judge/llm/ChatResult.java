package dev.rlaif.judge.llm;

import java.util.ArrayList;
import java.util.List;

/**
 * The answers of one or more chat-completions calls.
 *
 * @param texts            the sampled answers (an absent content is an empty string)
 * @param promptTokens     prompt tokens over all calls
 * @param completionTokens completion tokens over all calls
 * @param tokensPerText    completion tokens of each answer; with n &gt; 1 in one call the server reports only the
 *                         call's total, which is split evenly over its answers
 */
public record ChatResult(List<String> texts, int promptTokens, int completionTokens, List<Integer> tokensPerText) {

    public ChatResult {
        texts = List.copyOf(texts);
        tokensPerText = List.copyOf(tokensPerText);
    }

    /** A single call's result, its completion tokens split evenly over its answers. */
    public static ChatResult of(List<String> texts, int promptTokens, int completionTokens) {
        List<Integer> per = new ArrayList<>();
        int n = Math.max(1, texts.size());
        for (int i = 0; i < texts.size(); i++) {
            per.add(completionTokens / n + (i < completionTokens % n ? 1 : 0));
        }
        return new ChatResult(texts, promptTokens, completionTokens, per);
    }

    /** This result followed by {@code other}'s answers. */
    public ChatResult plus(ChatResult other) {
        List<String> t = new ArrayList<>(texts);
        t.addAll(other.texts);
        List<Integer> p = new ArrayList<>(tokensPerText);
        p.addAll(other.tokensPerText);
        return new ChatResult(t, promptTokens + other.promptTokens, completionTokens + other.completionTokens, p);
    }

    public static ChatResult empty() {
        return new ChatResult(List.of(), 0, 0, List.of());
    }
}
