package dev.rlaif.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo end to end: every service on a real embedded broker, the summary read back from the topics. */
@Tag("broker")
class DemoCommandTest {

    @Test
    void demoReplaysComparisonsAndEveryPairSettles() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int rc;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = Rlaif.commandLine();
            rc = cli.execute("demo", "--limit", "24", "--ui-port", "0", "--drain-timeout", "PT6M");
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertThat(rc).as(text).isZero();
        JsonNode summary = Json.read(lines.get(lines.size() - 1)).get("summary");
        assertThat(summary.get("generations").asLong()).isEqualTo(48);
        assertThat(summary.get("pairs").asLong()).isEqualTo(24);
        assertThat(summary.get("dlq").asLong()).isZero();
        assertThat(summary.get("drained").asBoolean()).isTrue();
        assertThat(summary.get("judgments").asLong()).as("one judgment per pair").isEqualTo(24);
        assertThat(summary.get("ai_labels").asLong()).as("the bootstrap model is confident on some pairs").isPositive();
        assertThat(summary.get("escalations").asLong()).as("and unsure of others").isPositive();
        assertThat(summary.get("version_accuracy").has("v000001")).as("the bootstrap version is published").isTrue();
        assertThat(summary.get("human_labels").asLong()).as("the simulated annotators labeled").isPositive();
        assertThat(summary.get("preferences").asLong() + summary.get("open_escalations").asLong())
                .as("every pair ends as one preference or one open escalation").isEqualTo(24);
        assertThat(summary.get("preferences").asLong()).isPositive();
    }
}
