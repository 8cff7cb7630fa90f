package dev.rlaif.merger.star;

import dev.rlaif.common.json.Json;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.RationalePreference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExportStarCommandTest {

    @Test
    void writesOneJsonLinePerRecord(@TempDir Path dir) throws Exception {
        RationalePreference r = RationalePreference.newBuilder().setPairId("p1")
                .setPrompt(List.of(new ChatMessage("user", "hi"))).setResponseA("a").setResponseB("b")
                .setHumanChoice(Choice.B).setGoodReasoning(List.of("good")).setBadReasoning(List.of("bad1", "bad2"))
                .setJudgeModel("m").setPromptVersion("v1").setCreatedAt(Instant.EPOCH).build();
        Path out = dir.resolve("sub/star.jsonl");
        int[] counts = ExportStarCommand.write(List.of(r), out);
        assertThat(counts).containsExactly(1, 2);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(1);
        var json = Json.read(lines.get(0));
        assertThat(json.get("human_choice").asText()).isEqualTo("B");
        assertThat(json.get("chosen").get(0).asText()).isEqualTo("good");
        assertThat(json.get("rejected")).hasSize(2);
        assertThat(json.get("prompt").get(0).get("content").asText()).isEqualTo("hi");
    }
}
