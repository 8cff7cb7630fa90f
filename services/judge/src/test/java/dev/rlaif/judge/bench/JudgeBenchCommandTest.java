package dev.rlaif.judge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark command runs the real service end to end and ends with its JSON line (no timing asserted). */
@Tag("broker")
class JudgeBenchCommandTest {

    @Test
    void judgesEveryPairAndPrintsTheEfficiencyAsTheLastJsonLine() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            rc = new CommandLine(new JudgeBenchCommand()).execute("--pairs", "12", "--latency-ms", "20",
                    "--concurrency", "4", "--server-n", "reject");
        } finally {
            System.setOut(original);
        }
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
        JsonNode last = Json.MAPPER.readTree(lines[lines.length - 1]);
        assertThat(rc).isZero();
        assertThat(last.get("judgments").asInt()).isEqualTo(12);
        assertThat(last.get("judge_efficiency").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(1.0);
        // n rejected: after the first refusals every sample is its own request (8 + 2 critiques per pair)
        assertThat(last.get("requests").asInt()).isGreaterThanOrEqualTo(12 * 10 - 2);
        assertThat(last.get("server_n").asText()).isEqualTo("reject");
    }
}
