package dev.rlaif.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BenchSuiteTest {

    @Test
    void medianPerFieldAndATableRowWithFloorAndRatio() {
        List<JsonNode> runs = List.of(
                Json.read("{\"bench\":\"pipeline\",\"pipeline_gens_per_s\":9000,\"passthrough_gens_per_s\":20000,\"ratio\":0.45}"),
                Json.read("{\"bench\":\"pipeline\",\"pipeline_gens_per_s\":12000,\"passthrough_gens_per_s\":21000,\"ratio\":0.57}"),
                Json.read("{\"bench\":\"pipeline\",\"pipeline_gens_per_s\":10000,\"passthrough_gens_per_s\":19000,\"ratio\":0.53}"));
        Map<String, Object> m = BenchSuite.median(runs);
        assertThat(m).containsEntry("pipeline_gens_per_s", 10000.0).containsEntry("passthrough_gens_per_s", 20000.0)
                .containsEntry("ratio", 0.53).containsEntry("bench", "pipeline");
        String table = BenchSuite.table(Map.of("pipeline", m), 2);
        assertThat(table).contains("| pipeline | generations/s through pairing").contains("| 10,000 |").contains("| 20,000 |")
                .contains("| 0.53 |");
    }

    @Test
    void thePipelinesRatioIsPrintedAsItsTwoFactors() {
        Map<String, Object> m = BenchSuite.median(List.of(Json.read("{\"bench\":\"pipeline\",\"ratio\":0.22,\"cpu_ratio\":0.22,"
                + "\"pipeline_records_per_gen\":7.57,\"passthrough_records_per_gen\":5.0,\"records_ratio\":0.661,"
                + "\"pipeline_cpu_us_per_record\":8.66,\"passthrough_cpu_us_per_record\":2.93}")));
        assertThat(BenchSuite.pipelineSplit(m)).hasValueSatisfying(line -> assertThat(line)
                .contains("7.57").contains("5.00").contains("records ratio 0.66").contains("8.7 against 2.9 us (0.34)")
                .contains("= 0.22").contains("CPU ratio is 0.22"));
        assertThat(BenchSuite.pipelineSplit(Map.of("ratio", 0.5))).as("a pipeline line from before the split").isEmpty();
    }

    @Test
    void onlyTakesOneBenchmarkNamedLikeItsSubcommand() {
        var parsed = dev.rlaif.cli.Rlaif.commandLine().parseArgs("bench", "--only", "pipeline", "--repeat", "1");
        BenchSuite suite = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertThat(suite.only).containsExactly("pipeline");
        assertThat(parsed.subcommand().hasSubcommand()).as("not run as the pipeline subcommand").isFalse();
    }
}
