package dev.rlaif.labeling.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A small run of the benchmark: its counts add up and its JSON line has the three figures (no timing asserted). */
@Tag("broker")
class LabelingBenchTest {

    @Test
    void smallRunLabelsEveryTaskAndReportsFigures() throws Exception {
        LabelingBench bench = new LabelingBench();
        bench.annotators = 5;
        bench.tasks = 20;
        bench.overlap = 2;
        bench.warmup = 0;
        bench.thinkMs = 5;
        LabelingBench.WithFloor both = bench.runWithFloor();
        LabelingBench.Result r = both.http();
        assertThat(r.labels()).isEqualTo(40);
        assertThat(r.emptyNexts()).isEqualTo(5);
        assertThat(r.nextP99Ms()).isPositive();
        assertThat(r.json()).startsWith("{\"labels_per_s\": ").contains("\"next_p99_ms\": ").contains("\"submit_p99_ms\": ");
        assertThat(both.floor().labels()).as("the floor does the same work").isEqualTo(40);
        assertThat(both.floor().submitP99Ms()).isPositive();
        assertThat(both.json()).contains("\"floor_submit_p99_ms\": ").contains("\"submit_ratio\": ");
    }
}
