package dev.rlaif.judge.llm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The answers of one or more chat-completions calls.
 *
 * @param texts            the sampled answers (an absent content is an empty string)
 * @param promptTokens     prompt tokens over all calls
 * @param completionTokens completion tokens over all calls
 * @param tokensPerText    completion tokens of each answer; with n &gt; 1 in one call the server reports only the
 *                         call's total, which is split evenly over its answers
 * @param cutOff           per answer, whether the server stopped it at the token limit ({@code finish_reason}
 *                         {@code length}): a cut-off answer carries no verdict, whatever it says
 */
public record ChatResult(List<String> texts, int promptTokens, int completionTokens, List<Integer> tokensPerText,
                         List<Boolean> cutOff) {

    public ChatResult {
        texts = List.copyOf(texts);
        tokensPerText = List.copyOf(tokensPerText);
        cutOff = List.copyOf(cutOff);
        if (cutOff.size() != texts.size()) {
            throw new IllegalArgumentException(cutOff.size() + " cut-off flags for " + texts.size() + " answers");
        }
    }

    /** Answers none of which was cut off. */
    public ChatResult(List<String> texts, int promptTokens, int completionTokens, List<Integer> tokensPerText) {
        this(texts, promptTokens, completionTokens, tokensPerText, Collections.nCopies(texts.size(), false));
    }

    /** A single call's result, its completion tokens split evenly over its answers. */
    public static ChatResult of(List<String> texts, int promptTokens, int completionTokens) {
        return of(texts, Collections.nCopies(texts.size(), false), promptTokens, completionTokens);
    }

    /** A single call's result with each answer's cut-off flag, its completion tokens split evenly. */
    public static ChatResult of(List<String> texts, List<Boolean> cutOff, int promptTokens, int completionTokens) {
        List<Integer> per = new ArrayList<>();
        int n = Math.max(1, texts.size());
        for (int i = 0; i < texts.size(); i++) {
            per.add(completionTokens / n + (i < completionTokens % n ? 1 : 0));
        }
        return new ChatResult(texts, promptTokens, completionTokens, per, cutOff);
    }

    /** Whether answer {@code i} was cut off at the token limit (false for an answer that is not there). */
    public boolean cutOff(int i) {
        return i < cutOff.size() && cutOff.get(i);
    }

    /** This result followed by {@code other}'s answers. */
    public ChatResult plus(ChatResult other) {
        List<String> t = new ArrayList<>(texts);
        t.addAll(other.texts);
        List<Integer> p = new ArrayList<>(tokensPerText);
        p.addAll(other.tokensPerText);
        List<Boolean> c = new ArrayList<>(cutOff);
        c.addAll(other.cutOff);
        return new ChatResult(t, promptTokens + other.promptTokens, completionTokens + other.completionTokens, p, c);
    }

    /** The first {@code n} answers (all of them when there are fewer). */
    public ChatResult first(int n) {
        if (texts.size() <= n) {
            return this;
        }
        return new ChatResult(texts.subList(0, n), promptTokens, completionTokens, tokensPerText.subList(0, n),
                cutOff.subList(0, n));
    }

    public static ChatResult empty() {
        return new ChatResult(List.of(), 0, 0, List.of(), List.of());
    }
}
