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

    @Test
    void queueDepthPerReasonLeavesOutReasonsThatNeverWaited() {
        List<MetricsHistory.Snapshot> h = List.of(
                at(0, Map.of("rlaif_labeling_queue_depth", 3.0,
                        "rlaif_labeling_queue_depth_by_reason{reason=AUDIT}", 1.0,
                        "rlaif_labeling_queue_depth_by_reason{reason=LOW_CONFIDENCE}", 2.0,
                        "rlaif_labeling_queue_depth_by_reason{reason=ABSTAIN}", 0.0)),
                at(2, Map.of("rlaif_labeling_queue_depth", 5.0,
                        "rlaif_labeling_queue_depth_by_reason{reason=AUDIT}", 0.0,
                        "rlaif_labeling_queue_depth_by_reason{reason=LOW_CONFIDENCE}", 5.0,
                        "rlaif_labeling_queue_depth_by_reason{reason=ABSTAIN}", 0.0)));
        Map<String, List<Double>> q = DashboardModel.queueDepth(h);
        assertThat(q).containsOnlyKeys("open", "audit", "low_confidence");
        assertThat(q.get("open")).containsExactly(3.0, 5.0);
        assertThat(q.get("low_confidence")).containsExactly(2.0, 5.0);
        assertThat(q.get("audit")).containsExactly(1.0, 0.0);
    }

    @Test
    void judgeQualityOneSeriesPerModelAndPromptVersion() {
        List<MetricsHistory.Snapshot> h = List.of(
                at(0, Map.of("rlaif_judge_quality_ece{judge_model=m1,prompt_version=v1}", 0.10,
                        "rlaif_judge_quality_position_inconsistency{judge_model=m1,prompt_version=v1}", 0.20)),
                at(2, Map.of("rlaif_judge_quality_ece{judge_model=m1,prompt_version=v1}", 0.08,
                        "rlaif_judge_quality_ece{judge_model=m1,prompt_version=v2}", 0.05,
                        "rlaif_judge_quality_audit_agreement{judge_model=m1,prompt_version=v2}", 0.9,
                        "rlaif_judge_quality_audit_agreement_low{judge_model=m1,prompt_version=v2}", 0.8,
                        "rlaif_judge_quality_votes_per_pair{judge_model=m1,prompt_version=v1}", 7.5)));
        Map<String, Map<String, List<Double>>> q = DashboardModel.judgeQuality(h);
        assertThat(q).containsOnlyKeys(DashboardModel.QUALITY);
        assertThat(q.get("ece").get("m1 · v1")).containsExactly(0.10, 0.08);
        assertThat(q.get("ece").get("m1 · v2")).as("a prompt version first seen later").containsExactly(null, 0.05);
        assertThat(q.get("position_inconsistency").get("m1 · v1")).as("a gauge gone NaN is a gap").containsExactly(0.20, null);
        assertThat(q.get("audit_agreement").get("m1 · v2")).containsExactly(null, 0.9);
        assertThat(q.get("audit_agreement_low").get("m1 · v2")).containsExactly(null, 0.8);
        assertThat(q.get("votes_per_pair")).containsOnlyKeys("m1 · v1");
        assertThat(q.get("audit_agreement_high")).isEmpty();
    }
}
