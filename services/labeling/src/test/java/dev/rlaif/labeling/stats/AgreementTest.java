package dev.rlaif.labeling.stats;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Tag("unit")
class AgreementTest {

    @Test
    void cohenKappaMatchesHandComputation() {
        // p_o = 2/3, p_e = (2/3)(1/3) + (1/3)(2/3) = 4/9, kappa = (6/9 - 4/9) / (5/9) = 0.4
        List<String[]> pairs = List.of(new String[]{"A", "A"}, new String[]{"B", "B"}, new String[]{"A", "B"});
        assertThat(Agreement.cohen(pairs)).isCloseTo(0.4, within(1e-9));
        assertThat(Agreement.rate(pairs)).isCloseTo(2.0 / 3, within(1e-9));
    }

    @Test
    void cohenKappaOfPerfectAndOfNoData() {
        assertThat(Agreement.cohen(List.of(new String[]{"A", "A"}, new String[]{"B", "B"}))).isEqualTo(1.0);
        assertThat(Agreement.cohen(List.of())).isNull();
        // Both raters always say A: agreement is certain by chance, kappa is 1 by convention here.
        assertThat(Agreement.cohen(List.<String[]>of(new String[]{"A", "A"}))).isEqualTo(1.0);
    }

    @Test
    void fleissKappaMatchesHandComputation() {
        // P_i = 1, 1, 0 -> P = 2/3; p_A = p_B = 1/2 -> P_e = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3
        assertThat(Agreement.fleiss(List.of(List.of("A", "A"), List.of("B", "B"), List.of("A", "B"))))
                .isCloseTo(1.0 / 3, within(1e-9));
        // Three raters: items (A,A,A) and (A,B,B): P = (1 + 1/3)/2 = 2/3; p_A = 4/6, p_B = 2/6 -> P_e = 5/9
        assertThat(Agreement.fleiss(List.of(List.of("A", "A", "A"), List.of("A", "B", "B"))))
                .isCloseTo((2.0 / 3 - 5.0 / 9) / (4.0 / 9), within(1e-9));
        assertThat(Agreement.fleiss(List.of(List.of("A")))).isNull();
    }
}
