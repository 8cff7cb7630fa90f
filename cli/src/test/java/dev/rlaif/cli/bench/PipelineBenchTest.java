package dev.rlaif.cli.bench;

import dev.rlaif.common.topic.Topics;
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
        bench.warmup = 200;      // untimed, and none of it may count in the timed phases (asserted below)
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

        // what the broker appended, read back per topic: each phase's own generations (not the other phase's), each
        // chain hop one record per generation, the pipeline one pair and one preference per two generations (an
        // aborted transaction's records would count too: at least), changelogs on top
        String generations = Topics.GENERATIONS.name();
        assertThat(r.passthroughLog().recordsByTopic()).containsEntry(generations, 600L);
        assertThat(r.passthroughLog().recordsByTopic().get(PipelineBench.CHAIN_PREFERENCES)).isGreaterThanOrEqualTo(600L);
        assertThat(r.pipelineLog().recordsByTopic()).containsEntry(generations, 600L);
        assertThat(r.pipelineLog().recordsByTopic().get(Topics.PAIRS.name())).isGreaterThanOrEqualTo(300L);
        assertThat(r.pipelineLog().recordsByTopic().get(Topics.PREFERENCES.name())).isGreaterThanOrEqualTo(300L);
        assertThat(r.pipelineLog().recordsByTopic().keySet()).anyMatch(t -> t.endsWith("-changelog"));
        assertThat(r.passthroughRecordsPerGen()).isGreaterThanOrEqualTo(5.0);   // the generation and 4 hops
        assertThat(r.pipelineRecordsPerGen()).isGreaterThan(r.passthroughRecordsPerGen());
        assertThat(r.json()).contains("\"records_ratio\"").contains("\"pipeline_cpu_us_per_record\"");
    }
}
