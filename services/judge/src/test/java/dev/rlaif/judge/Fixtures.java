package dev.rlaif.judge;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.judge.bench.SimulatedOpenAiEndpoint;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.PairedResponse;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Pairs, configurations and scripted model servers shared by the judge's tests. */
public final class Fixtures {

    private Fixtures() {
    }

    public static final String CRITIQUE_JSON = "{\"instruction_following\": {\"score\": 8, \"text\": \"does it\"}, "
            + "\"correctness\": {\"score\": 7, \"text\": \"right\"}, \"style\": {\"score\": 6, \"text\": \"ok\"}, "
            + "\"summary\": \"fine\"}";

    public static ComparisonPair pair(String promptText, String genA, String responseA, String genB, String responseB) {
        return ComparisonPair.newBuilder()
                .setPairId(PairIds.pairId(genA, genB))
                .setPromptId("prompt-" + PairIds.hash(promptText, 8))
                .setPrompt(List.of(new ChatMessage("user", promptText)))
                .setA(new PairedResponse(genA, responseA, "policy", "1"))
                .setB(new PairedResponse(genB, responseB, "policy", "1"))
                .setCreatedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .build();
    }

    public static KafkaSettings kafka(Path stateDir) {
        return new KafkaSettings("localhost:1", null, 1, (short) 1, stateDir);
    }

    /** A configuration pointing at {@code url}, with fast retries, and the given overrides. */
    public static JudgeConfig config(String url, Path stateDir, String... overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("RLAIF_JUDGE_LLM_URL", url);
        env.put("RLAIF_JUDGE_LLM_MODEL", "judge-test");
        env.put("RLAIF_JUDGE_TIMEOUT", "2s");
        env.put("RLAIF_JUDGE_RETRY_INITIAL_BACKOFF", "10ms");
        env.put("RLAIF_JUDGE_RETRY_MAX_BACKOFF", "50ms");
        for (int i = 0; i < overrides.length; i += 2) {
            env.put(overrides[i], overrides[i + 1]);
        }
        return JudgeConfig.fromEnv(new Env(env), kafka(stateDir));
    }

    /**
     * A judge that prefers the response containing {@code marker}, whichever position it is shown in, and writes a
     * fixed critique; {@code delayMs} per request.
     */
    public static SimulatedOpenAiEndpoint.Behavior prefers(String marker, long delayMs) {
        return req -> {
            if (req.critique()) {
                return SimulatedOpenAiEndpoint.Reply.answers(delayMs, List.of(CRITIQUE_JSON));
            }
            String token = req.firstAnswer().contains(marker) ? "[[A]]" : "[[B]]";
            return SimulatedOpenAiEndpoint.Reply.answers(delayMs, repeat("Comparing both answers step by step. " + token, req.n()));
        };
    }

    public static List<String> repeat(String text, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(text);
        }
        return out;
    }
}
