package dev.rlaif.common.dataset;

import dev.rlaif.schema.Choice;
import dev.rlaif.schema.PolicyGeneration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetsTest {

    @Test
    void readsTheSharedHhRlhfFileIntoPromptAndTwoFinalAssistantTurns() {
        Path file = SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.HH_RLHF);
        try (Stream<PreferenceExample> s = Datasets.readPairs(file, null)) {
            List<PreferenceExample> all = s.toList();
            assertThat(all).hasSize(1843);
            PreferenceExample first = all.get(0);
            assertThat(first.prompt().get(0).getRole()).isEqualTo("user");
            assertThat(first.prompt().get(0).getContent()).isEqualTo("what are some pranks with a pen i can do?");
            assertThat(first.prompt().get(first.prompt().size() - 1).getRole()).isEqualTo("user");
            assertThat(first.responseA()).startsWith("No, sorry!");
            assertThat(first.label()).isEqualTo(Choice.A);
            assertThat(all.stream().map(PreferenceExample::id).distinct().count()).isEqualTo(all.size());
        }
    }

    @Test
    void readsPandaLmWithEveryAnnotatorAndTheMajority() {
        Path file = SharedData.resolve("pandalm/testset-v1.json");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.PANDALM);
        try (Stream<PreferenceExample> s = Datasets.readPairs(file, null)) {
            List<PreferenceExample> all = s.toList();
            assertThat(all).hasSize(999);
            assertThat(all.get(0).annotatorLabels()).containsExactly(Choice.B, Choice.B, Choice.B);
            assertThat(all.get(0).label()).isEqualTo(Choice.B);
            assertThat(all.get(0).prompt().get(0).getContent()).contains("Rewrite the sentence").contains("If you have any questions");
        }
    }

    @Test
    void majorityKeepsTiesAsTies() {
        assertThat(Datasets.majority(List.of(Choice.A, Choice.B, Choice.TIE))).isEqualTo(Choice.TIE);
        assertThat(Datasets.majority(List.of(Choice.A, Choice.A, Choice.B))).isEqualTo(Choice.A);
        assertThat(Datasets.majority(List.of(Choice.A, Choice.B))).isEqualTo(Choice.TIE);
        assertThat(Datasets.majority(List.of())).isNull();
    }

    @Test
    void readsGenericPairwiseAndGenerationLinesAndNamesTheBadLine(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, """
                {"id": "x1", "prompt": "Say hi", "response_a": "hi", "response_b": "go away", "label": "a"}
                {"prompt": [{"role": "user", "content": "Q"}], "response_a": "1", "response_b": "2"}
                """);
        assertThat(DatasetFormat.detect(pairs)).isEqualTo(DatasetFormat.PAIRWISE);
        List<PreferenceExample> ex = Datasets.readPairs(pairs, null).toList();
        assertThat(ex).extracting(PreferenceExample::label).containsExactly(Choice.A, null);
        assertThat(ex.get(0).id()).isEqualTo("x1");

        Path gens = dir.resolve("gens.jsonl");
        Files.writeString(gens, """
                {"prompt_id": "p", "prompt": "Q", "response": "R", "policy_model": "m"}

                {"prompt_id": "p", "prompt": "Q", "policy_model": "m"}
                """);
        assertThat(DatasetFormat.detect(gens)).isEqualTo(DatasetFormat.GENERATIONS);
        assertThatThrownBy(() -> Datasets.readGenerations(gens).toList())
                .hasMessageContaining("line 3").hasMessageContaining("response: is required");
    }

    @Test
    void toGenerationsSharesThePromptIdAndHidesWhichWasChosen() {
        List<Boolean> chosenFirst = Datasets.readPairs(SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz"), null)
                .limit(200).map(ex -> {
                    List<PolicyGeneration> g = Datasets.toGenerations(ex, "m", Instant.EPOCH, Map.of());
                    assertThat(g).extracting(PolicyGeneration::getPromptId).containsOnly(ex.id());
                    assertThat(g.get(0).getGenerationId()).isNotEqualTo(g.get(1).getGenerationId());
                    return g.get(0).getResponse().equals(ex.responseA());
                }).toList();
        long first = chosenFirst.stream().filter(b -> b).count();
        assertThat(first).as("chosen published first in about half the prompts").isBetween(70L, 130L);
    }
}
