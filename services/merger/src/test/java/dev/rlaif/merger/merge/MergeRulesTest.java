package dev.rlaif.merger.merge;

import dev.rlaif.schema.Choice;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MergeRulesTest {

    @Test
    void majorityAgreementAndStrength() {
        MergeRules.Majority m = MergeRules.majority(List.of(Choice.A, Choice.A, Choice.B)).orElseThrow();
        assertThat(m.choice()).isEqualTo(Choice.A);
        assertThat(m.agreement()).isCloseTo(2 / 3.0, within(1e-9));
        assertThat(m.strength()).isCloseTo(1 / 3.0, within(1e-9));
        MergeRules.Majority unanimous = MergeRules.majority(List.of(Choice.B, Choice.B, Choice.B)).orElseThrow();
        assertThat(unanimous.strength()).isEqualTo(1.0);
        assertThat(unanimous.agreement()).isEqualTo(1.0);
    }

    @Test
    void tiesAreKept() {
        assertThat(MergeRules.majority(List.of(Choice.A, Choice.B)).orElseThrow().tie()).isTrue();
        MergeRules.Majority t = MergeRules.majority(List.of(Choice.TIE, Choice.TIE, Choice.A)).orElseThrow();
        assertThat(t.choice()).isEqualTo(Choice.TIE);
        assertThat(t.strength()).isZero();
        assertThat(MergeRules.majority(List.of())).isEmpty();
    }

    @Test
    void humansWaitForLabelsWantedUnlessConfiguredOtherwise() {
        PairState s = new PairState();
        s.labelsWanted = 3;
        s.annotators.put("a", new PairState.Vote("l1", "A", 1));
        assertThat(MergeRules.humansReady(s, false, 1)).isFalse();
        assertThat(MergeRules.humansReady(s, true, 1)).isTrue();
        s.labelsWanted = 0;
        assertThat(MergeRules.humansReady(s, false, 1)).isTrue();
        assertThat(MergeRules.humansReady(s, false, 2)).isFalse();
    }

    @Test
    void fourDecimalsWritesWhatTheFormatterWrites() {
        java.util.Random random = new java.util.Random(12);
        List<Double> values = new java.util.ArrayList<>(List.of(0.0, -0.0, 1.0, 0.5, 0.15, 0.00005, 0.99995, 0.12345,
                0.96, 1e-9, 123.456789, -0.33335, Double.NaN, Double.POSITIVE_INFINITY));
        for (int i = 0; i < 20_000; i++) {
            values.add(random.nextDouble());
            values.add(Math.round(random.nextDouble() * 100_000) / 100_000.0); // ties at the fifth decimal
        }
        for (double x : values) {
            assertThat(MergeRules.fourDecimals(x)).as("%s", x).isEqualTo(String.format(java.util.Locale.ROOT, "%.4f", x));
        }
    }
}
