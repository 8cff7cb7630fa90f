package dev.rlaif.merger.star;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.star.JudgePrompts;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.JudgeSample;
import dev.rlaif.schema.Order;
import dev.rlaif.schema.RationalePreference;
import dev.rlaif.schema.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The exports against TRL's documented conversational formats (prompt-completion for SFT, preference for DPO). */
class TrlExportTest {

    @TempDir
    Path dir;

    /** A stand-in renderer: shows which answer came first, as the judge's template would. */
    private static final JudgePrompts PROMPTS = (version, conversation, first, second, tie) -> Optional.of(List.of(
            Map.of("role", "system", "content", "judge " + version),
            Map.of("role", "user", "content", "A: " + first + " | B: " + second)));

    private static JudgeSample sample(Order order, Verdict v, String reasoning) {
        return JudgeSample.newBuilder().setOrder(order).setVerdict(v).setReasoning(reasoning).build();
    }

    private static RationalePreference record() {
        return RationalePreference.newBuilder()
                .setPairId("p1")
                .setPrompt(List.of(new ChatMessage("user", "How do tides work?")))
                .setResponseA("the moon")
                .setResponseB("the wind")
                .setHumanChoice(Choice.A)
                .setGoodReasoning(List.of("ab good [[A]]", "ba good [[B]]"))
                .setBadReasoning(List.of("ba bad [[A]]"))
                .setGoodSamples(List.of(sample(Order.AB, Verdict.A, "ab good [[A]]"), sample(Order.BA, Verdict.A, "ba good [[B]]")))
                .setBadSamples(List.of(sample(Order.BA, Verdict.B, "ba bad [[A]]")))
                .setJudgeModel("qwen")
                .setPromptVersion("pairwise-v1")
                .setCreatedAt(Instant.EPOCH)
                .build();
    }

    private static List<JsonNode> lines(Path p) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(p)) {
            out.add(Json.MAPPER.readTree(l));
        }
        return out;
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> k = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            k.add(it.next());
        }
        return k;
    }

    private static void assertMessages(JsonNode list, String... roles) {
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(roles.length);
        for (int i = 0; i < roles.length; i++) {
            assertThat(keys(list.get(i))).containsExactly("content", "role");
            assertThat(list.get(i).get("role").asText()).isEqualTo(roles[i]);
            assertThat(list.get(i).get("content").isTextual()).isTrue();
        }
    }

    @Test
    void sftLinesAreConversationalPromptCompletionWithThePromptEachSampleSaw() throws Exception {
        Path sft = dir.resolve("star.sft.jsonl");
        TrlExport.Counts c = TrlExport.write(List.of(record()), PROMPTS, true, sft, dir.resolve("star.dpo.jsonl"));
        assertThat(c.sft()).isEqualTo(2);
        List<JsonNode> lines = lines(sft);
        assertThat(lines).hasSize(2).allSatisfy(l -> {
            assertThat(keys(l)).containsExactly("completion", "prompt");
            assertMessages(l.get("prompt"), "system", "user");
            assertMessages(l.get("completion"), "assistant");
        });
        assertThat(lines.get(0).get("prompt").get(1).get("content").asText()).isEqualTo("A: the moon | B: the wind");
        assertThat(lines.get(0).get("completion").get(0).get("content").asText()).isEqualTo("ab good [[A]]");
        // the BA sample saw the wind first: its [[B]] means the moon, the humans' choice
        assertThat(lines.get(1).get("prompt").get(1).get("content").asText()).isEqualTo("A: the wind | B: the moon");
        assertThat(lines.get(1).get("completion").get(0).get("content").asText()).isEqualTo("ba good [[B]]");
    }

    @Test
    void dpoLinesAreConversationalPreferencePairsFromTheSameOrder() throws Exception {
        Path dpo = dir.resolve("star.dpo.jsonl");
        TrlExport.Counts c = TrlExport.write(List.of(record()), PROMPTS, true, dir.resolve("star.sft.jsonl"), dpo);
        assertThat(c.dpo()).isEqualTo(1);                                     // AB has no bad sample to pair with
        JsonNode l = lines(dpo).get(0);
        assertThat(keys(l)).containsExactly("chosen", "prompt", "rejected");
        assertMessages(l.get("prompt"), "system", "user");
        assertMessages(l.get("chosen"), "assistant");
        assertMessages(l.get("rejected"), "assistant");
        assertThat(l.get("prompt").get(1).get("content").asText()).isEqualTo("A: the wind | B: the moon");
        assertThat(l.get("chosen").get(0).get("content").asText()).isEqualTo("ba good [[B]]");
        assertThat(l.get("rejected").get(0).get("content").asText()).isEqualTo("ba bad [[A]]");
    }

    @Test
    void recordsWithoutSampleOrdersAreSkippedNotGuessed() throws Exception {
        RationalePreference old = RationalePreference.newBuilder(record()).setGoodSamples(List.of()).setBadSamples(List.of()).build();
        TrlExport.Counts c = TrlExport.write(List.of(old), PROMPTS, true, dir.resolve("s.jsonl"), dir.resolve("d.jsonl"));
        assertThat(c).isEqualTo(new TrlExport.Counts(0, 0, 1));
        assertThat(ExportStarCommand.sibling(dir.resolve("star.jsonl"), ".dpo.jsonl")).isEqualTo(dir.resolve("star.dpo.jsonl"));
    }
}
