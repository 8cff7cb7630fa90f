package dev.rlaif.rm.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BradleyTerryLossTest {

    static double nls(double z) {
        return Math.log1p(Math.exp(-z));
    }

    @Test
    void plainLossIsMeanNegativeLogSigmoidOfTheMargin() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            var rc = m.create(new float[] {2f, 0f, -1f});
            var rr = m.create(new float[] {0f, 0f, 1f});
            float loss = new BradleyTerryLoss().evaluate(new NDList(m.ones(new ai.djl.ndarray.types.Shape(3))), new NDList(rc, rr))
                    .getFloat();
            double expected = (nls(2) + nls(0) + nls(-2)) / 3;
            assertThat((double) loss).isCloseTo(expected, within(1e-5));
            assertThat((double) loss).isCloseTo((0.126928 + 0.693147 + 2.126928) / 3, within(1e-5));
        }
    }

    @Test
    void marginSmoothingAndWeightsFollowTheFormula() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            var rc = m.create(new float[] {1f, 3f});
            var rr = m.create(new float[] {0f, 0f});
            var t = m.create(new float[] {0.9f, 1f});
            var margin = m.create(new float[] {0.5f, 0f});
            var w = m.create(new float[] {1f, 3f});
            float loss = new BradleyTerryLoss().evaluate(new NDList(t, margin, w), new NDList(rc, rr)).getFloat();
            double first = 0.9 * nls(0.5) + 0.1 * nls(-0.5);
            double second = nls(3);
            assertThat((double) loss).isCloseTo((first + 3 * second) / 4, within(1e-5));
        }
    }

    @Test
    void stableForHugeMargins() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            var rc = m.create(new float[] {200f, -200f});
            var rr = m.create(new float[] {0f, 0f});
            float loss = new BradleyTerryLoss().evaluate(new NDList(m.ones(new ai.djl.ndarray.types.Shape(2))), new NDList(rc, rr)).getFloat();
            assertThat((double) loss).isCloseTo(100.0, within(1e-3));
        }
    }
}
