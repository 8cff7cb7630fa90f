package dev.rlaif.cli.dashboard;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DashboardModelTest {

    private static MetricsHistory.Snapshot at(long s, Map<String, Double> v) {
        return new MetricsHistory.Snapshot(s * 1000, v);
    }

    @Test
    @SuppressWarnings("unchecked")
    void ratesFromTotalsAndSeriesPerGroup() {
        List<MetricsHistory.Snapshot> h = List.of(
                at(0, Map.of("rlaif_pairing_records_out_total{topic=pairs}", 0.0,
                        "rlaif_router_escalations_total{reason=low_confidence}", 0.0,
                        "rlaif_judge_consumer_lag{topic=pairs}", 40.0)),
                at(2, Map.of("rlaif_pairing_records_out_total{topic=pairs}", 100.0,
                        "rlaif_router_escalations_total{reason=low_confidence}", 4.0,
                        "rlaif_router_escalations_total{reason=audit}", 2.0,
                        "rlaif_judge_consumer_lag{topic=pairs}", 10.0,
                        "rlaif_router_calibration_agreement{bucket=0.0-0.1,judge_model=v1}", 0.5,
                        "rlaif_router_calibration_labels{bucket=0.0-0.1,judge_model=v1}", 4.0,
                        "rlaif_router_calibration_agreement{bucket=0.9-1.0,judge_model=v1}", 1.0,
                        "rlaif_router_calibration_labels{bucket=0.9-1.0,judge_model=v1}", 4.0,
                        "rlaif_trainer_version_accuracy{published=true,version=v000001}", 0.7)));
        Map<String, Object> doc = DashboardModel.build(h);
        Map<String, Map<String, Object>> topics = (Map<String, Map<String, Object>>) doc.get("topics");
        assertThat((double) topics.get("pairs").get("rate")).isEqualTo(50.0);
        assertThat((double) topics.get("pairs").get("total")).isEqualTo(100.0);
        Map<String, Object> series = (Map<String, Object>) doc.get("series");
        Map<String, List<Double>> lag = (Map<String, List<Double>>) series.get("lag");
        assertThat(lag.get("judge")).containsExactly(40.0, 10.0);
        Map<String, List<Double>> esc = (Map<String, List<Double>>) series.get("escalations_per_min");
        assertThat(esc.get("low_confidence")).containsExactly(0.0, 120.0);
        assertThat(esc.get("audit")).as("a reason first seen later has a gap before").containsExactly(null, 60.0);
        assertThat((List<Double>) series.get("agreement")).containsExactly(null, 0.75);
        List<Map<String, Object>> versions = (List<Map<String, Object>>) doc.get("versions");
        assertThat(versions).singleElement().satisfies(v -> {
            assertThat(v.get("version")).isEqualTo("v000001");
            assertThat(v.get("accuracy")).isEqualTo(0.7);
        });
    }
}
