package dev.rlaif.labeling.stats;

import dev.rlaif.common.annotators.DawidSkene;
import dev.rlaif.labeling.store.StoredLabel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReliabilityTest {

    private static StoredLabel label(String pair, String annotator, String choice) {
        return new StoredLabel(pair + "/" + annotator, "esc-" + pair, pair, annotator, choice, choice, null, "HUMAN",
                1000, 0, null, true);
    }

    @Test
    void anAnnotatorWhoContradictsTwoConsistentPeersGetsALowReliability() {
        List<StoredLabel> labels = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String truth = i % 3 == 0 ? "B" : "A";
            String other = truth.equals("A") ? "B" : "A";
            labels.add(label("p" + i, "alice", truth));
            labels.add(label("p" + i, "bob", truth));
            labels.add(label("p" + i, "mallory", other));
        }
        DawidSkene.Model m = LabelingStats.reliability(labels);
        assertThat(m.reliability("alice")).isGreaterThan(0.9);
        assertThat(m.reliability("bob")).isGreaterThan(0.9);
        assertThat(m.reliability("mallory")).isLessThan(0.1);
        assertThat(m.decide("p0")).isEqualTo(LabelingStats.CLASSES.indexOf("B"));
    }
}
