package dev.rlaif.router;

import dev.rlaif.common.config.Env;
import dev.rlaif.schema.EscalationReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterConfigTest {

    @Test
    void defaults() {
        RouterConfig c = RouterConfig.defaults();
        assertThat(c.confidenceThreshold()).isEqualTo(0.8);
        assertThat(c.auditRate()).isEqualTo(0.05);
        assertThat(c.labelsWanted(EscalationReason.POSITION_INCONSISTENT)).isEqualTo(3);
        assertThat(c.labelsWanted(EscalationReason.AUDIT)).isEqualTo(1);
        assertThat(c.labelsWanted(EscalationReason.ABSTAIN)).isEqualTo(1);
        assertThat(c.budgetPerHour()).isZero();
        assertThat(c.targetAccuracy()).isEqualTo(0.95);
        assertThat(c.autoThreshold()).isFalse();
    }

    @Test
    void readsEveryVariable() {
        RouterConfig c = RouterConfig.fromEnv(new Env(Map.of(
                "RLAIF_ROUTER_CONFIDENCE_THRESHOLD", "0.7", "RLAIF_ROUTER_AUDIT_RATE", "0.1",
                "RLAIF_ROUTER_LABELS_WANTED", "low-confidence=2, audit=1", "RLAIF_ROUTER_HUMAN_BUDGET_PER_HOUR", "120",
                "RLAIF_ROUTER_BUDGET_WINDOW", "15m", "RLAIF_ROUTER_AUTO_THRESHOLD", "true",
                "RLAIF_ROUTER_TARGET_ACCURACY", "0.9", "RLAIF_ROUTER_MIN_BUCKET_SAMPLES", "5",
                "RLAIF_ROUTER_CALIBRATION_BUCKETS", "20")));
        assertThat(c.confidenceThreshold()).isEqualTo(0.7);
        assertThat(c.labelsWanted(EscalationReason.LOW_CONFIDENCE)).isEqualTo(2);
        assertThat(c.labelsWanted(EscalationReason.POSITION_INCONSISTENT)).isEqualTo(3);
        assertThat(c.budgetWindow()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.budgetPerHour()).isEqualTo(120);
        assertThat(c.autoThreshold()).isTrue();
        assertThat(c.calibrationBuckets()).isEqualTo(20);
    }

    @Test
    void rejectsBadValuesNamingTheVariable() {
        assertThatThrownBy(() -> RouterConfig.fromEnv(new Env(Map.of("RLAIF_ROUTER_AUDIT_RATE", "1.5"))))
                .hasMessageContaining("RLAIF_ROUTER_AUDIT_RATE");
        assertThatThrownBy(() -> RouterConfig.fromEnv(new Env(Map.of("RLAIF_ROUTER_LABELS_WANTED", "bogus=2"))))
                .hasMessageContaining("unknown reason 'bogus'");
        assertThatThrownBy(() -> RouterConfig.fromEnv(new Env(Map.of("RLAIF_ROUTER_LABELS_WANTED", "AUDIT=0"))))
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> RouterConfig.fromEnv(new Env(Map.of("RLAIF_ROUTER_CONFIDENCE_THRESHOLD", "high"))))
                .hasMessageContaining("RLAIF_ROUTER_CONFIDENCE_THRESHOLD");
    }
}
