package dev.rlaif.merger.merge;

import dev.rlaif.schema.Choice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AnnotatorModelTest {

    private static PairState state(String... annotatorChoice) {
        PairState s = new PairState();
        for (int i = 0; i < annotatorChoice.length; i += 2) {
            s.annotators.put(annotatorChoice[i], new PairState.Vote("l" + i, annotatorChoice[i + 1], i));
        }
        return s;
    }

    /** Issue 14: annotators of accuracy 0.95, 0.85, 0.7 and 0.35, three of them per pair. */
    @Test
    void reliabilitiesFromTheStatesAndDecisionsThatBeatTheMajorityAgainstGold() {
        double[] acc = {0.95, 0.85, 0.7, 0.35};
        Random rng = new Random(7);
        List<PairState> states = new ArrayList<>();
        List<String> gold = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            String truth = rng.nextBoolean() ? "A" : "B";
            String wrong = truth.equals("A") ? "B" : "A";
            int skip = rng.nextInt(4);
            List<String> args = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                if (j != skip) {
                    args.add("ann" + j);
                    args.add(rng.nextDouble() < acc[j] ? truth : wrong);
                }
            }
            states.add(state(args.toArray(String[]::new)));
            gold.add(truth);
        }
        AnnotatorModel m = AnnotatorModel.fit(states);
        assertThat(m.pairsFitted).isEqualTo(1500);
        for (int j = 0; j < 4; j++) {
            assertThat(m.reliability("ann" + j)).as("ann%d", j).isCloseTo(acc[j], within(0.05));
        }
        int weighted = 0;
        int plain = 0;
        for (int i = 0; i < states.size(); i++) {
            weighted += MergeRules.humanDecision(states.get(i), true, 1, m, 20).orElseThrow().choice().name().equals(gold.get(i)) ? 1 : 0;
            plain += MergeRules.humanDecision(states.get(i), true, 1).orElseThrow().choice().name().equals(gold.get(i)) ? 1 : 0;
        }
        assertThat(weighted).isGreaterThan(plain + 75);
    }

    @Test
    void oneReliableAnnotatorOutweighsTwoUnreliableOnesButOnlyWhenAllAreKnown() {
        List<PairState> history = new ArrayList<>();
        Random rng = new Random(3);
        for (int i = 0; i < 400; i++) {
            String truth = i % 2 == 0 ? "A" : "B";
            String wrong = truth.equals("A") ? "B" : "A";
            history.add(state("expert", truth, "noisy1", rng.nextDouble() < 0.6 ? truth : wrong,
                    "noisy2", rng.nextDouble() < 0.6 ? truth : wrong));
        }
        AnnotatorModel m = AnnotatorModel.fit(history);
        PairState split = state("expert", "A", "noisy1", "B", "noisy2", "B");
        MergeRules.Majority d = MergeRules.humanDecision(split, true, 1, m, 20).orElseThrow();
        assertThat(d.choice()).isEqualTo(Choice.A);
        assertThat(d.agreement()).isCloseTo(2.0 / 3, within(1e-12));           // still the plain share of the top choice
        assertThat(MergeRules.humanDecision(split, true, 1).orElseThrow().choice()).isEqualTo(Choice.B);
        // a newcomer the model has not seen: the plain majority decides
        PairState withNewcomer = state("expert", "A", "noisy1", "B", "newcomer", "B");
        assertThat(MergeRules.humanDecision(withNewcomer, true, 1, m, 20).orElseThrow().choice()).isEqualTo(Choice.B);
        // switched off
        assertThat(MergeRules.humanDecision(split, true, 1, m, 0).orElseThrow().choice()).isEqualTo(Choice.B);
    }

    @Test
    void anEmptyFitDecidesNothing() {
        AnnotatorModel m = AnnotatorModel.fit(List.of(state("a", "A")));
        assertThat(m.decide(state("a", "A"), 1)).isEmpty();
        assertThat(m.reliability("a")).isNaN();
    }
}
