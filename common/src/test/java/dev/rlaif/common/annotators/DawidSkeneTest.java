package dev.rlaif.common.annotators;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DawidSkeneTest {

    @Test
    void theEStepWeighsEachLabelByItsAnnotatorsConfusionMatrix() {
        DawidSkene.Model m = new DawidSkene.Model(new double[] {0.5, 0.5},
                Map.of("x", new double[][] {{0.9, 0.1}, {0.1, 0.9}}, "y", new double[][] {{0.6, 0.4}, {0.4, 0.6}}),
                Map.of(), Map.of(), 0);
        // x says A, y says B: P(A) ∝ 0.5 * 0.9 * 0.4 = 0.18, P(B) ∝ 0.5 * 0.1 * 0.6 = 0.03 → 0.18 / 0.21
        double[] p = m.posterior(Map.of("x", 0, "y", 1));
        assertThat(p[0]).isCloseTo(6.0 / 7, within(1e-12));
        assertThat(m.reliability("x")).isCloseTo(0.9, within(1e-12));
        assertThat(m.reliability("y")).isCloseTo(0.6, within(1e-12));
        assertThat(m.reliability("nobody")).isNaN();
    }

    @Test
    void theMStepCountsSmoothedLabelsPerTrueClass() {
        DawidSkene ds = new DawidSkene(2, 0.5, 10, 1e-6);
        Map<String, List<DawidSkene.Label>> byItem = new LinkedHashMap<>();
        byItem.put("i1", List.of(new DawidSkene.Label("i1", "u", 0)));
        byItem.put("i2", List.of(new DawidSkene.Label("i2", "u", 0)));
        Map<String, double[]> t = Map.of("i1", new double[] {1, 0}, "i2", new double[] {0, 1});
        double[] prior = new double[2];
        Map<String, double[][]> confusion = new HashMap<>();
        ds.mStep(byItem, t, prior, confusion, Map.of("u", 2));
        // truth A row: one A label → (1 + .5) / (1 + 2 * .5) = .75; truth B row: one A label → π[B][A] = .75
        assertThat(prior[0]).isCloseTo(0.5, within(1e-6));
        assertThat(confusion.get("u")[0]).containsExactly(new double[] {0.75, 0.25}, within(1e-12));
        assertThat(confusion.get("u")[1]).containsExactly(new double[] {0.75, 0.25}, within(1e-12));
    }

    @Test
    void twoConsistentAnnotatorsAndOneWhoAlwaysContradictsThem() {
        List<DawidSkene.Label> labels = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int truth = i % 2;
            labels.add(new DawidSkene.Label("i" + i, "good1", truth));
            labels.add(new DawidSkene.Label("i" + i, "good2", truth));
            labels.add(new DawidSkene.Label("i" + i, "contrarian", 1 - truth));
        }
        DawidSkene.Model m = DawidSkene.of(2).fit(labels);
        assertThat(m.reliability("good1")).isGreaterThan(0.95);
        assertThat(m.reliability("contrarian")).isLessThan(0.05);     // learned as inverted, not as noise
        // a new item only the contrarian labeled: read inverted
        assertThat(m.posterior(Map.of("contrarian", 1))[0]).isGreaterThan(0.9);
        for (int i = 0; i < 20; i++) {
            assertThat(m.decide("i" + i)).isEqualTo(i % 2);
        }
    }

    /** Issue 14: simulated annotators of known accuracy, three labels per item from four annotators. */
    @Test
    void recoversKnownAccuraciesWithinFivePointsAndBeatsTheMajority() {
        double[] acc = {0.95, 0.85, 0.7, 0.35};
        Random rng = new Random(14);
        List<DawidSkene.Label> labels = new ArrayList<>();
        Map<String, Integer> gold = new HashMap<>();
        Map<String, int[]> votes = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String item = "i" + i;
            int truth = rng.nextInt(2);
            gold.put(item, truth);
            int skip = rng.nextInt(4);
            for (int j = 0; j < 4; j++) {
                if (j == skip) {
                    continue;
                }
                int label = rng.nextDouble() < acc[j] ? truth : 1 - truth;
                labels.add(new DawidSkene.Label(item, "ann" + j, label));
                votes.computeIfAbsent(item, k -> new int[2])[label]++;
            }
        }
        DawidSkene.Model m = DawidSkene.of(2).fit(labels);
        for (int j = 0; j < 4; j++) {
            assertThat(m.reliability("ann" + j)).as("annotator %d", j).isCloseTo(acc[j], within(0.05));
        }
        int dsRight = 0;
        int majorityRight = 0;
        for (Map.Entry<String, Integer> g : gold.entrySet()) {
            dsRight += m.decide(g.getKey()) == g.getValue() ? 1 : 0;
            int[] v = votes.get(g.getKey());
            majorityRight += (v[0] > v[1] ? 0 : 1) == g.getValue() ? 1 : 0;   // three votes: never tied
        }
        assertThat(dsRight).isGreaterThan(majorityRight + 100);              // about 0.95 vs 0.85 here
    }

    @Test
    void wilsonIntervalOfAKnownCase() {
        // 8 of 10: centre (0.8 + 1.9208/10) / 1.38416 = 0.71672, half-width 0.25053 → [0.4902, 0.9433]
        double[] ci = DawidSkene.wilson(0.8, 10);
        assertThat(ci[0]).isCloseTo(0.4902, within(1e-4));
        assertThat(ci[1]).isCloseTo(0.9433, within(1e-4));
    }
}
