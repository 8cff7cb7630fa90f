package dev.rlaif.scorer.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.CritiqueAspect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses scorer request bodies. A prompt is a string (one user turn) or an array of {@code {role, content}};
 * a critique is optional: {@code {"instruction_following": 1-10, "correctness": 1-10, "style": 1-10, "summary": "..."}}.
 */
final class Requests {

    private Requests() {
    }

    /** The items of a body: {@code {"items": [...]}} or a single item object. */
    static List<JsonNode> items(JsonNode body, int maxBatch) {
        if (body == null || !body.isObject()) {
            throw new BadRequest("body must be a JSON object");
        }
        JsonNode items = body.get("items");
        if (items == null) {
            return List.of(body);
        }
        if (!items.isArray() || items.isEmpty()) {
            throw new BadRequest("items must be a non-empty array");
        }
        if (items.size() > maxBatch) {
            throw new BadRequest("items has " + items.size() + " entries, at most " + maxBatch + " allowed");
        }
        List<JsonNode> out = new ArrayList<>();
        items.forEach(out::add);
        return out;
    }

    static List<ChatMessage> prompt(JsonNode item, String field) {
        JsonNode p = item.get("prompt");
        if (p == null || p.isNull()) {
            throw new BadRequest(field + "prompt is required");
        }
        if (p.isTextual()) {
            return List.of(new ChatMessage("user", p.asText()));
        }
        if (p.isArray() && !p.isEmpty()) {
            List<ChatMessage> out = new ArrayList<>();
            for (int i = 0; i < p.size(); i++) {
                JsonNode m = p.get(i);
                if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                    throw new BadRequest(field + "prompt[" + i + "] must be {\"role\": string, \"content\": string}");
                }
                out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
            }
            return out;
        }
        throw new BadRequest(field + "prompt must be a string or a non-empty array of messages");
    }

    static String text(JsonNode item, String name, String field) {
        JsonNode t = item.get(name);
        if (t == null || !t.isTextual()) {
            throw new BadRequest(field + name + " is required and must be a string");
        }
        return t.asText();
    }

    static Critique critique(JsonNode item, String name, String field) {
        JsonNode c = item.get(name);
        if (c == null || c.isNull()) {
            return null;
        }
        if (!c.isObject()) {
            throw new BadRequest(field + name + " must be an object");
        }
        return Critique.newBuilder().setCritiqueId("request").setGenerationId("request").setPromptId("request")
                .setJudgeModel(c.path("judge_model").asText("request"))
                .setInstructionFollowing(aspect(c, "instruction_following", field + name))
                .setCorrectness(aspect(c, "correctness", field + name))
                .setStyle(aspect(c, "style", field + name))
                .setSummary(c.path("summary").asText(""))
                .setCreatedAt(Instant.EPOCH)
                .build();
    }

    private static CritiqueAspect aspect(JsonNode c, String name, String field) {
        JsonNode s = c.get(name);
        if (s == null || !s.canConvertToInt() || s.asInt() < 1 || s.asInt() > 10) {
            throw new BadRequest(field + "." + name + " must be an integer from 1 to 10");
        }
        return new CritiqueAspect(s.asInt(), "");
    }

    static ScoringInput scoring(JsonNode item, String field) {
        return new ScoringInput(prompt(item, field), text(item, "response", field), critique(item, "critique", field));
    }
}
