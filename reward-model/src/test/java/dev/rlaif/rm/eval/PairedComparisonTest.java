package dev.rlaif.rm.eval;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PairedComparisonTest {

    @Test
    void countsDiscordantPairsAndGivesTheExactTwoSidedPValue() {
        double[] a = {0.9, 0.9, 0.9, 0.2, 0.8, 0.1};
        double[] b = {0.1, 0.2, 0.9, 0.9, 0.7, 0.1};
        PairedComparison c = PairedComparison.of(a, b);
        assertThat(c.onlyA()).isEqualTo(2);
        assertThat(c.onlyB()).isEqualTo(1);
        assertThat(c.difference()).isCloseTo(1.0 / 6, within(1e-12));
        // 3 discordant pairs, 2:1 -> P(X <= 1) = 4/8, two-sided 1.0
        assertThat(c.pValue()).isEqualTo(1.0);
        // 10:0 -> 2 * 0.5^10
        assertThat(PairedComparison.mcnemar(10, 0)).isCloseTo(2 * Math.pow(0.5, 10), within(1e-12));
        // 169:116 (a reward-model CV run) -> about 0.002, symmetric in its arguments
        assertThat(PairedComparison.mcnemar(169, 116)).isCloseTo(0.0020154, within(1e-6)).isEqualTo(PairedComparison.mcnemar(116, 169));
        assertThat(PairedComparison.mcnemar(0, 0)).isEqualTo(1.0);
    }
}
