package dev.rlaif.rm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
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

/** {@code train} then {@code eval} on a small separable pairwise file, with the cheap hashing encoder. */
class TrainEvalCommandTest {

    static final String[] GOOD = {"happy to help", "here is a clear answer", "sure, the steps are", "thanks for asking"};
    static final String[] BAD = {"figure it out yourself", "that is stupid", "go away", "not my problem"};

    @Test
    void trainWritesAModelThatEvalMeasuresAgainstTheBaseline(@TempDir Path dir) throws Exception {
        Random r = new Random(5);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 240; i++) {
            String good = GOOD[r.nextInt(4)] + " about topic" + i;
            String bad = BAD[r.nextInt(4)] + " about topic" + i;
            boolean aGood = r.nextBoolean();
            lines.add(Json.write(Map.of("id", "p" + i, "prompt", "tell me about topic" + i,
                    "response_a", aGood ? good : bad, "response_b", aGood ? bad : good, "label", aGood ? "A" : "B")));
        }
        Path data = dir.resolve("pairs.jsonl");
        Files.write(data, lines);
        Path model = dir.resolve("models").resolve("m1");

        TrainCommand train = new TrainCommand();
        ByteArrayOutputStream trainOut = new ByteArrayOutputStream();
        train.stdout = new PrintStream(trainOut, true);
        int rc = new CommandLine(train).execute("--data", data.toString(), "--out", model.toString(), "--encoder", "hashing-32",
                "--heads", "2", "--epochs", "8", "--lexical-buckets", "64");
        assertThat(rc).isZero();
        assertThat(model.resolve("manifest.json")).exists();
        assertThat(model.resolve("weights.bin")).exists();
        JsonNode manifest = Json.read(Files.readString(model.resolve("manifest.json")));
        assertThat(manifest.at("/features/bowBuckets").asInt()).isEqualTo(1 << 18);
        assertThat(manifest.at("/training/bow_head/n").asInt()).as("tuned on the training pairs").isBetween(160, 220);
        assertThat(manifest.at("/training/bootstrap").asBoolean()).isFalse();

        EvalCommand eval = new EvalCommand();
        ByteArrayOutputStream evalOut = new ByteArrayOutputStream();
        eval.stdout = new PrintStream(evalOut, true);
        rc = new CommandLine(eval).execute("--model", model.toString(), "--data", data.toString());
        assertThat(rc).isZero();
        String[] out = evalOut.toString().strip().split("\n");
        JsonNode last = Json.read(out[out.length - 1]);
        assertThat(last.get("held_out_only").asBoolean()).isTrue();
        assertThat(last.get("n").asInt()).isBetween(20, 80);
        assertThat(last.get("accuracy").asDouble()).isGreaterThan(0.9);
        assertThat(last.get("baseline_accuracy").asDouble()).isGreaterThan(0.5);
        assertThat(last.get("accuracy_ci_low").asDouble()).isLessThan(last.get("accuracy").asDouble());
        assertThat(last.get("mcnemar_p").asDouble()).isBetween(0.0, 1.0);

        // several datasets at once: one accuracy each; a domain that prefers the curt answers shows the shift
        List<String> shifted = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            shifted.add(Json.write(Map.of("id", "q" + i, "prompt", "tell me about thing" + i,
                    "response_a", GOOD[i % 4] + " about thing" + i, "response_b", BAD[i % 4] + " about thing" + i, "label", "B")));
        }
        Path other = dir.resolve("other.jsonl");
        Files.write(other, shifted);
        EvalCommand both = new EvalCommand();
        ByteArrayOutputStream bothOut = new ByteArrayOutputStream();
        both.stdout = new PrintStream(bothOut, true);
        rc = new CommandLine(both).execute("--model", model.toString(), "--data", data.toString(), other.toString());
        assertThat(rc).isZero();
        String[] lines2 = bothOut.toString().strip().split("\n");
        JsonNode sets = Json.read(lines2[lines2.length - 1]).get("datasets");
        assertThat(sets).hasSize(2);
        assertThat(sets.get(0).get("data").asText()).isEqualTo(data.toString());
        assertThat(sets.get(0).get("accuracy").asDouble()).isEqualTo(last.get("accuracy").asDouble());
        assertThat(sets.get(1).get("n").asInt()).isEqualTo(60);
        assertThat(sets.get(1).get("held_out_only").asBoolean()).isFalse();
        assertThat(sets.get(1).get("accuracy").asDouble()).isLessThan(0.2);

        // a non-empty --out is refused, nothing overwritten
        rc = new CommandLine(new TrainCommand()).execute("--data", data.toString(), "--out", model.toString(), "--encoder", "hashing-32");
        assertThat(rc).isNotZero();
    }
}
