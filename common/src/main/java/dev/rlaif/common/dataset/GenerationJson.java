package dev.rlaif.common.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.validation.FieldError;
import dev.rlaif.common.validation.JsonFields;
import dev.rlaif.common.validation.ValidationException;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.PolicyGeneration;
import dev.rlaif.schema.SamplingParams;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of a {@link PolicyGeneration} (the gateway's request body and the generation JSON-lines format),
 * with validation that names every bad field.
 *
 * <pre>{@code
 * {"generation_id": "g-1",            // optional: derived from prompt_id, policy_model and response when absent
 *  "prompt_id": "p-1",
 *  "prompt": [{"role": "user", "content": "Hi"}],   // or a plain string: one user message
 *  "response": "Hello!",
 *  "policy_model": "llama-3-8b", "policy_version": "step-1200",
 *  "sampling": {"temperature": 0.7, "top_p": 0.9, "max_tokens": 512, "seed": 1},
 *  "created_at": "2026-01-31T12:00:00Z",           // or epoch ms; default now
 *  "tags": {"source": "rollout"}}
 * }</pre>
 */
public final class GenerationJson {

    public static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /** Size limits of one record; generous for chat transcripts, tight enough to stop abuse. */
    public record Limits(int maxIdLength, int maxTextLength, int maxTurns, int maxTags) {
        public static final Limits DEFAULT = new Limits(256, 200_000, 200, 64);
    }

    private GenerationJson() {
    }

    /** Parses and validates one generation; throws {@link ValidationException} listing every bad field. */
    public static PolicyGeneration parse(JsonNode node, Limits limits, Clock clock) {
        List<FieldError> errors = new ArrayList<>();
        if (node == null || !node.isObject()) {
            throw new ValidationException(List.of(new FieldError("$", "must be a JSON object")));
        }
        JsonFields f = new JsonFields(node, "", errors);
        String generationId = f.optionalString("generation_id", limits.maxIdLength());
        String promptId = f.requiredString("prompt_id", limits.maxIdLength());
        List<ChatMessage> prompt = prompt(f, limits);
        // An empty response is a real policy output (HH-RLHF has some): required, but may be empty.
        String response = f.requiredString("response", limits.maxTextLength(), true);
        String model = f.requiredString("policy_model", limits.maxIdLength());
        String version = f.optionalString("policy_version", limits.maxIdLength());
        SamplingParams sampling = sampling(f);
        var createdAt = f.instant("created_at", clock.instant());
        Map<String, String> tags = f.stringMap("tags", limits.maxTags());
        if (generationId != null && generationId.isBlank()) {
            f.error("generation_id", "must not be blank when given");
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        if (generationId == null) {
            generationId = "g-" + PairIds.hash(promptId + "\u0000" + model + "\u0000" + response, 24);
        }
        return PolicyGeneration.newBuilder().setGenerationId(generationId).setPromptId(promptId).setPrompt(prompt)
                .setResponse(response).setPolicyModel(model).setPolicyVersion(version == null ? "" : version)
                .setSampling(sampling).setCreatedAt(createdAt).setTags(Map.copyOf(tags)).build();
    }

    private static List<ChatMessage> prompt(JsonFields f, Limits limits) {
        JsonNode p = f.raw("prompt");
        if (p == null) {
            f.error("prompt", "is required");
            return List.of();
        }
        if (p.isTextual()) {
            if (p.asText().isBlank()) {
                f.error("prompt", "must not be empty");
            }
            return List.of(new ChatMessage("user", p.asText()));
        }
        if (!p.isArray() || p.isEmpty()) {
            f.error("prompt", "must be a non-empty array of {role, content} messages or a string");
            return List.of();
        }
        if (p.size() > limits.maxTurns()) {
            f.error("prompt", "has " + p.size() + " turns; at most " + limits.maxTurns() + " allowed");
            return List.of();
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            JsonNode m = p.get(i);
            String at = "prompt[" + i + "]";
            if (!m.isObject()) {
                f.error(at, "must be an object with role and content");
                continue;
            }
            JsonFields mf = f.nested(m, at);
            String role = mf.requiredString("role", 32);
            String content = mf.requiredString("content", limits.maxTextLength());
            if (role != null && !ROLES.contains(role)) {
                mf.error("role", "must be one of system, user, assistant; was '" + role + "'");
            }
            if (role != null && content != null) {
                out.add(new ChatMessage(role, content));
            }
        }
        return out;
    }

    private static SamplingParams sampling(JsonFields f) {
        JsonNode s = f.raw("sampling");
        if (s == null) {
            return null;
        }
        if (!s.isObject()) {
            f.error("sampling", "must be an object");
            return null;
        }
        JsonFields sf = f.nested(s, "sampling");
        Double temperature = sf.optionalNumber("temperature", 0, 10);
        Double topP = sf.optionalNumber("top_p", 0, 1);
        Long maxTokens = sf.optionalInteger("max_tokens", 1, Integer.MAX_VALUE);
        Long seed = sf.optionalInteger("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        return new SamplingParams(temperature, topP, maxTokens == null ? null : maxTokens.intValue(), seed);
    }

    /** The JSON form of a generation (inverse of {@link #parse}). */
    public static ObjectNode toJson(PolicyGeneration g) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("generation_id", g.getGenerationId());
        n.put("prompt_id", g.getPromptId());
        ArrayNode prompt = n.putArray("prompt");
        for (ChatMessage m : g.getPrompt()) {
            prompt.addObject().put("role", m.getRole()).put("content", m.getContent());
        }
        n.put("response", g.getResponse());
        n.put("policy_model", g.getPolicyModel());
        n.put("policy_version", g.getPolicyVersion());
        if (g.getSampling() != null) {
            ObjectNode s = n.putObject("sampling");
            SamplingParams p = g.getSampling();
            if (p.getTemperature() != null) {
                s.put("temperature", p.getTemperature());
            }
            if (p.getTopP() != null) {
                s.put("top_p", p.getTopP());
            }
            if (p.getMaxTokens() != null) {
                s.put("max_tokens", p.getMaxTokens());
            }
            if (p.getSeed() != null) {
                s.put("seed", p.getSeed());
            }
        }
        n.put("created_at", g.getCreatedAt().toString());
        ObjectNode tags = n.putObject("tags");
        g.getTags().forEach(tags::put);
        return n;
    }
}
