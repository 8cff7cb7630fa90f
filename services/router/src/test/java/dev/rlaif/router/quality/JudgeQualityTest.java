package dev.rlaif.router.quality;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class JudgeQualityTest {

    private static final JudgeQuality.Key QWEN = new JudgeQuality.Key("qwen", "pairwise-v1");

    @Test
    void handComputedFiguresOfOneJudge() {
        JudgeQuality q = new JudgeQuality(2, 0.85, 4);
        q.judgment(QWEN, true, 4);
        q.judgment(QWEN, false, 16);
        q.judgment(QWEN, true, 8);
        q.judgment(QWEN, true, 4);
        // audits: confidence 0.9 (predicts 0.95), 3 agree of 4; a low-confidence label at 0.2 (predicts 0.6) disagrees
        q.humanLabel(QWEN, 0.9, true, true);
        q.humanLabel(QWEN, 0.9, true, true);
        q.humanLabel(QWEN, 0.9, true, true);
        q.humanLabel(QWEN, 0.9, false, true);
        q.humanLabel(QWEN, 0.2, false, false);
        JudgeQuality.Summary s = q.summaries().get(0);
        assertThat(s.inconsistencyRate()).isCloseTo(0.25, within(1e-12));
        assertThat(s.votesPerPair()).isCloseTo(8.0, within(1e-12));
        assertThat(s.audits()).isEqualTo(4);
        assertThat(s.auditAgreement()).isCloseTo(0.75, within(1e-12));
        // Wilson 3/4: centre (0.75 + 0.4802) / 1.9604 = 0.62753, half-width 1.96 * sqrt(0.1069) / 1.9604 = 0.32689
        assertThat(s.auditLow()).isCloseTo(0.3006, within(1e-4));
        assertThat(s.auditHigh()).isCloseTo(0.9544, within(1e-4));
        // ECE, 2 buckets: high bucket 4 labels, |0.75 - 0.95| = 0.2; low bucket 1 label, |0 - 0.6| = 0.6
        // → (4 * 0.2 + 1 * 0.6) / 5 = 0.28
        assertThat(s.ece()).isCloseTo(0.28, within(1e-12));
        assertThat(s.alarm()).isTrue();                                      // 0.75 < 0.85 with 4 audits
    }

    @Test
    void noAlarmBeforeEnoughAuditsAndSeparateKeysPerPromptVersion() {
        JudgeQuality q = new JudgeQuality(10, 0.85, 30);
        q.humanLabel(QWEN, 0.9, false, true);
        q.judgment(new JudgeQuality.Key("qwen", "pairwise-v2"), true, 8);
        assertThat(q.summaries()).hasSize(2);
        assertThat(q.summaries().get(0).alarm()).isFalse();
        assertThat(q.summaries().get(0).inconsistencyRate()).isNaN();
    }

    @Test
    void theAlarmIsAGaugeThatFollowsTheFigures() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JudgeQualityMetrics metrics = new JudgeQualityMetrics(registry, 0.85);
        JudgeQuality q = new JudgeQuality(10, 0.85, 2);
        q.humanLabel(QWEN, 0.9, false, true);
        q.humanLabel(QWEN, 0.9, true, true);
        assertThat(metrics.publish(q.summaries())).containsExactly(QWEN);
        assertThat(registry.get("rlaif_judge_quality_alarm").tag("judge_model", "qwen").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("rlaif_judge_quality_audit_agreement").gauge().value()).isCloseTo(0.5, within(1e-12));
        for (int i = 0; i < 20; i++) {
            q.humanLabel(QWEN, 0.9, true, true);
        }
        assertThat(metrics.publish(q.summaries())).isEmpty();
        assertThat(registry.get("rlaif_judge_quality_alarm").gauge().value()).isEqualTo(0.0);
    }
}
