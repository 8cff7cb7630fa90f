package dev.rlaif.router.calibration;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CalibrationTest {

    private static void fill(Calibration c, String model, double confidence, int n, int agree) {
        for (int i = 0; i < n; i++) {
            c.record(model, confidence, i < agree);
        }
    }

    @Test
    void bucketsAreEqualWidthAndOneFallsInTheTop() {
        Calibration c = new Calibration(10);
        assertThat(c.bucket(0.0)).isZero();
        assertThat(c.bucket(0.79)).isEqualTo(7);
        assertThat(c.bucket(0.8)).isEqualTo(8);
        assertThat(c.bucket(1.0)).isEqualTo(9);
    }

    @Test
    void withoutEvidenceTheConfiguredThresholdStays() {
        Calibration c = new Calibration(10);
        assertThat(c.threshold("m", 0.8, 0.95, 20)).isEqualTo(0.8);
        fill(c, "m", 0.95, 5, 5); // too few to trust
        assertThat(c.threshold("m", 0.8, 0.95, 20)).isEqualTo(0.8);
    }

    @Test
    void lowersTheThresholdIntoBucketsKnownToBeAccurate() {
        Calibration c = new Calibration(10);
        fill(c, "m", 0.75, 40, 39); // 0.975
        fill(c, "m", 0.65, 40, 38); // 0.95
        fill(c, "m", 0.55, 40, 30); // 0.75
        assertThat(c.threshold("m", 0.8, 0.95, 20)).isEqualTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.threshold("other-model", 0.8, 0.95, 20)).isEqualTo(0.8);
    }

    @Test
    void raisesTheThresholdAboveABadBucketAndGivesUpWhenTheTopIsBad() {
        Calibration c = new Calibration(10);
        fill(c, "m", 0.85, 30, 20);
        fill(c, "m", 0.95, 30, 30);
        assertThat(c.threshold("m", 0.8, 0.95, 20)).isEqualTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
        fill(c, "bad", 0.99, 30, 15);
        assertThat(c.threshold("bad", 0.8, 0.95, 20)).isGreaterThan(1.0);
    }

    @Test
    void publishesAgreementAsAMetric() {
        Calibration c = new Calibration(10);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        c.bindTo(registry);
        fill(c, "m", 0.95, 4, 3);
        assertThat(registry.get("rlaif_router_calibration_agreement").tag("judge_model", "m").tag("bucket", "0.90-1.00")
                .gauge().value()).isEqualTo(0.75);
        assertThat(registry.get("rlaif_router_calibration_labels").tag("judge_model", "m").tag("bucket", "0.90-1.00")
                .gauge().value()).isEqualTo(4);
    }
}
