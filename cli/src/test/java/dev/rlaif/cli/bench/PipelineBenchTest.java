package dev.rlaif.cli.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small pipeline bench on a real broker: every pair comes out as one preference (and only this phase's: the floors'
 * generations are not paired), every floor generation crosses the whole chain, and all three rates are measured.
 */
@Tag("broker")
class PipelineBenchTest {

    @Test
    void everyPairBecomesAPreferenceAndTheFloorIsMeasured() throws Exception {
        PipelineBench bench = new PipelineBench();
        bench.generations = 600;
        bench.timeout = Duration.ofMinutes(4);
        PipelineBench.Result r = bench.run();
        assertThat(r.preferences()).isEqualTo(300);
        assertThat(r.pipelineGensPerS()).isPositive();
        assertThat(r.passthroughGensPerS()).isPositive();
        assertThat(r.singleHopGensPerS()).isPositive();
        assertThat(r.json()).contains("\"pipeline_gens_per_s\"").contains("\"passthrough_gens_per_s\"").contains("\"ratio\"")
                .contains("\"peak_heap_mb\"").contains("\"cpu_ratio\"")
                .contains("\"single_hop_passthrough_gens_per_s\"").contains("\"single_hop_ratio\"");
        assertThat(r.pipelineCpuMsPer1k()).isPositive();
        assertThat(r.passthroughCpuMsPer1k()).isPositive();
    }
}
