package dev.rlaif.judge.critique;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.schema.CritiqueAspect;

import java.util.Optional;

/**
 * Reads the critique prompt's JSON answer: {@code instruction_following}, {@code correctness} and {@code style},
 * each {@code {"score": 1..10, "text": "..."}}, and a {@code summary}. The object may be wrapped in prose or a
 * markdown fence; a missing aspect, a score outside 1-10 or a non-number makes the whole answer invalid
 * (empty), never a guessed score.
 */
public final class CritiqueParser {

    /** Longest aspect text or summary kept. */
    static final int MAX_TEXT = 1000;

    /** A parsed critique, without ids. */
    public record Parsed(CritiqueAspect instructionFollowing, CritiqueAspect correctness, CritiqueAspect style,
                         String summary) {
    }

    private CritiqueParser() {
    }

    public static Optional<Parsed> parse(String answer) {
        if (answer == null) {
            return Optional.empty();
        }
        int open = answer.indexOf('{');
        int close = answer.lastIndexOf('}');
        if (open < 0 || close <= open) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(answer.substring(open, close + 1));
        } catch (Exception e) {
            return Optional.empty();
        }
        Optional<CritiqueAspect> inst = aspect(root.get("instruction_following"));
        Optional<CritiqueAspect> corr = aspect(root.get("correctness"));
        Optional<CritiqueAspect> style = aspect(root.get("style"));
        if (inst.isEmpty() || corr.isEmpty() || style.isEmpty()) {
            return Optional.empty();
        }
        JsonNode summary = root.get("summary");
        return Optional.of(new Parsed(inst.get(), corr.get(), style.get(),
                summary != null && summary.isTextual() ? bound(summary.asText()) : ""));
    }

    private static Optional<CritiqueAspect> aspect(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        JsonNode score = node.get("score");
        if (score == null || !score.isNumber() || score.asDouble() != Math.rint(score.asDouble())) {
            return Optional.empty();
        }
        int s = score.asInt();
        if (s < 1 || s > 10) {
            return Optional.empty();
        }
        JsonNode text = node.get("text");
        return Optional.of(new CritiqueAspect(s, text != null && text.isTextual() ? bound(text.asText()) : ""));
    }

    static String bound(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }
}
