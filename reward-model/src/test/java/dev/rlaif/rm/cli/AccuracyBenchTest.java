package dev.rlaif.rm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code bench reward-model}'s late fusion and nested tuning, on a small separable file with the hashing encoder. */
class AccuracyBenchTest {

    @Test
    void gridIsEveryCombinationOfTheNamedValues() {
        List<TrainConfig> grid = AccuracyBench.grid(TrainConfig.DEFAULT, "hidden=16,64;epochs=3,9;weight-decay=0.01");
        assertThat(grid).hasSize(4);
        assertThat(grid).extracting(TrainConfig::hidden).containsExactly(16, 16, 64, 64);
        assertThat(grid).extracting(TrainConfig::epochs).containsExactly(3, 9, 3, 9);
        assertThat(grid).extracting(TrainConfig::weightDecay).containsOnly(0.01f);
        assertThat(grid).extracting(TrainConfig::heads).containsOnly(TrainConfig.DEFAULT.heads());
        assertThatThrownBy(() -> AccuracyBench.grid(TrainConfig.DEFAULT, "width=3")).hasMessageContaining("width");
        assertThatThrownBy(() -> AccuracyBench.grid(TrainConfig.DEFAULT, "hidden")).hasMessageContaining("key=v1,v2");
        assertThat(AccuracyBench.bowAxis("hidden=16;bow=on,off")).containsExactly(true, false);
        assertThat(AccuracyBench.bowAxis("hidden=16")).containsExactly(true);
        assertThat(AccuracyBench.withoutBowAxis("hidden=16;bow=off;epochs=3")).isEqualTo("hidden=16;epochs=3");
    }

    @Test
    void fusionAndNestedTuningAreMeasuredOnTheSameFoldsAsTheDefault(@TempDir Path dir) throws Exception {
        Random r = new Random(7);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 180; i++) {
            String good = TrainEvalCommandTest.GOOD[r.nextInt(4)] + " about topic" + i;
            String bad = TrainEvalCommandTest.BAD[r.nextInt(4)] + " about topic" + i;
            boolean aGood = r.nextBoolean();
            lines.add(Json.write(Map.of("id", "p" + i, "prompt", "tell me about topic" + i,
                    "response_a", aGood ? good : bad, "response_b", aGood ? bad : good, "label", aGood ? "A" : "B")));
        }
        Path data = dir.resolve("pairs.jsonl");
        Files.write(data, lines);

        AccuracyBench bench = new AccuracyBench();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bench.stdout = new PrintStream(out, true);
        int rc = new CommandLine(bench).execute("--data", data.toString(), "--cache", dir.resolve("cache").toString(),
                "--encoder", "hashing-32", "--folds", "3", "--skip-held-out", "--no-calibrate", "--heads", "2", "--epochs", "4",
                "--lexical-buckets", "64", "--compare-fusion", "hashing-32,hashing-16", "--compare-fusion-mlp", "hashing-32,hashing-16", "--compare-tuned", "--tune-grid", "hidden=4,8;bow=on,off",
                "--compare-relation", "--compare-fused", "hashing-32+hashing-16", "--compare-fused", "hashing-32+hashing-16/user-turns:2",
                "--pair-against", "fusion hashing-32,hashing-16");
        assertThat(rc).isZero();
        String[] printed = out.toString().strip().split("\n");
        JsonNode json = Json.read(printed[printed.length - 1]);
        JsonNode fusion = json.at("/variants/fusion hashing-32,hashing-16");
        JsonNode tuned = json.at("/variants/tuned");
        assertThat(out.toString()).contains("encoder hashing-32 (hashing-32), prompt context last-turn: features 170 dims")
                .contains("encoder hashing-32+hashing-16 (hashing-32+hashing-16), prompt context user-turns: features");
        JsonNode relation = json.at("/variants/relation");
        JsonNode fusionMlp = json.at("/variants/fusion-mlp hashing-32,hashing-16");
        assertThat(fusionMlp.get("cv_accuracy").asDouble()).as("the MLP heads alone").isEqualTo(fusion.get("cv_mlp_only_accuracy").asDouble());
        JsonNode fused = json.at("/variants/fused hashing-32+hashing-16");
        JsonNode fusedContext = json.at("/variants/fused hashing-32+hashing-16~1user-turns:2");
        assertThat(fused.get("cv_mlp_only_mcnemar_p_by_seed")).hasSize(1);
        assertThat(fused.get("cv_mlp_only_vs_default_p_by_seed")).hasSize(1);
        assertThat(fused.get("cv_vs_reference_p_by_seed")).as("paired against the late fusion measured before it").hasSize(1);
        assertThat(fusion.has("cv_vs_reference_p_by_seed")).as("not against itself").isFalse();
        for (JsonNode v : List.of(json, fusion, tuned, relation, fused, fusedContext)) {
            assertThat(v.get("cv_accuracy").asDouble()).as(v.toString()).isGreaterThan(0.9);
        }
        assertThat(fusion.get("cv_vs_default_p_by_seed")).hasSize(1);
        JsonNode choices = tuned.get("tuned_choices_by_seed").get(0);
        assertThat(choices).as("one choice per outer fold").hasSize(3);
        choices.forEach(c -> assertThat(c.asText()).containsAnyOf("hidden 4,", "hidden 8,").contains("bag-of-words head"));
        assertThat(json.has("accuracy")).as("no held-out figures with --skip-held-out").isFalse();
    }
}
