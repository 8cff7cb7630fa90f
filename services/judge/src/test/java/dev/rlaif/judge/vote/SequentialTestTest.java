package dev.rlaif.judge.vote;

import dev.rlaif.judge.vote.SequentialTest.Decision;
import dev.rlaif.judge.vote.SequentialTest.Plan;
import dev.rlaif.schema.Order;
import dev.rlaif.schema.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Hand-computed cases of the sequential test (docs/judge.md, "Adaptive sampling"). */
class SequentialTestTest {

    /** Votes: the AB half then the BA half, verdicts already mapped back. */
    private static List<VoteMath.Vote> votes(String ab, String ba) {
        List<VoteMath.Vote> out = new ArrayList<>();
        for (char c : ab.toCharArray()) {
            out.add(new VoteMath.Vote(Order.AB, c == 'A' ? Verdict.A : c == 'B' ? Verdict.B : Verdict.INVALID));
        }
        for (char c : ba.toCharArray()) {
            out.add(new VoteMath.Vote(Order.BA, c == 'A' ? Verdict.A : c == 'B' ? Verdict.B : Verdict.INVALID));
        }
        return out;
    }

    @Test
    void theBoundarySpendsTheErrorBudgetOverTheLooks() {
        Plan linear = new Plan(4, 16, 0.8, 1.0, 0);
        assertThat(linear.boundary(4)).isCloseTo(0.95, within(1e-12));   // 1 - 0.2 * 4/16
        assertThat(linear.boundary(8)).isCloseTo(0.90, within(1e-12));
        assertThat(linear.boundary(16)).isCloseTo(0.80, within(1e-12));  // the router's threshold at the last look
        Plan naive = new Plan(4, 16, 0.8, 0, 0);
        assertThat(naive.boundary(4)).isCloseTo(0.8, within(1e-12));
        // rho 0.7: 1 - 0.2 * 0.25^0.7 = 1 - 0.2 * 0.378929 = 0.924214
        assertThat(new Plan(4, 16, 0.8, 0.7, 0).boundary(4)).isCloseTo(0.924214, within(1e-6));
    }

    @Test
    void fourToNothingSettlesUnderAMildBoundaryButNotALinearOne() {
        // 4-0, both orders agreeing: Beta(5, 1), P(theta < 1/2) = 0.5^5, confidence 1 - 2/32 = 0.9375
        assertThat(VoteMath.tally(votes("AA", "AA")).confidence()).isCloseTo(0.9375, within(1e-12));
        assertThat(new SequentialTest(new Plan(4, 16, 0.8, 0.7, 0.3)).decide(votes("AA", "AA"))).isEqualTo(Decision.SETTLED);
        assertThat(new SequentialTest(new Plan(4, 16, 0.8, 0, 0)).decide(votes("AA", "AA"))).isEqualTo(Decision.SETTLED);
        assertThat(new SequentialTest(new Plan(4, 16, 0.8, 1.0, 0)).decide(votes("AA", "AA"))).isEqualTo(Decision.CONTINUE);
        // 6-0 at the third look: confidence 1 - 2/128 = 0.984 >= 1 - 0.2 * 6/16 = 0.925
        assertThat(new SequentialTest(new Plan(4, 16, 0.8, 1.0, 0)).decide(votes("AAA", "AAA"))).isEqualTo(Decision.SETTLED);
    }

    @Test
    void aConfidentButPositionInconsistentPairNeverSettles() {
        // 5-1 with the BA half split 2-1... consistent; AB 3-0 with BA 1-1-invalid is a BA tie: inconsistent
        SequentialTest naive = new SequentialTest(new Plan(4, 16, 0.8, 0, 0));
        assertThat(naive.decide(votes("AAA", "AB?"))).isEqualTo(Decision.CONTINUE);
        assertThat(naive.decide(votes("AAA", "AAB"))).isEqualTo(Decision.SETTLED);     // Beta(6,2): 0.875 >= 0.8
    }

    @Test
    void reachProbabilityIsTheBetaBinomialMassOfTheOutcomesThatCrossTheThreshold() {
        SequentialTest test = new SequentialTest(new Plan(4, 8, 0.8, 0, 0.3));
        // 3-1 (Beta(4,2)), 4 votes to come: 7-1 (0.961) and 6-2 (0.820) reach 0.8, 5-3 (0.49) does not.
        // P(x=4) = B(8,2)/B(4,2) = (1/72)/(1/20) = 5/18; P(x=3) = 4 B(7,3)/B(4,2) = 4 (1/252)/(1/20) = 20/63
        double reach = test.reachProbability(VoteMath.tally(votes("AA", "AB")), 4);
        assertThat(reach).isCloseTo(5.0 / 18 + 20.0 / 63, within(1e-9));              // 25/42 = 0.595
        // 4-0 (Beta(5,1)), 2 to come: only 4-2 misses; P(x=0) = B(5,3)/B(5,1) = (1/105)/(1/5) = 1/21
        assertThat(test.reachProbability(VoteMath.tally(votes("AA", "AA")), 2)).isCloseTo(20.0 / 21, within(1e-9));
    }

    @Test
    void aPairStopsAsFutileWhenItCanNoLongerOrLikelyNotReachTheThreshold() {
        // 3-1 at n=4 of 8: reach 25/42 = 0.595 (above); the AB half is split, so it is not settled either
        assertThat(new SequentialTest(new Plan(4, 8, 0.8, 0, 0.3)).decide(votes("AB", "AA"))).isEqualTo(Decision.CONTINUE);
        assertThat(new SequentialTest(new Plan(4, 8, 0.8, 0, 0.6)).decide(votes("AB", "AA"))).isEqualTo(Decision.FUTILE);
        // 2-2 with 2 to come: at best 4-2, confidence 0.547 < 0.8: curtailment stops it even with futility 0
        assertThat(new SequentialTest(new Plan(4, 6, 0.8, 0, 0)).decide(votes("AB", "BA"))).isEqualTo(Decision.FUTILE);
        // 2-2 with 12 to come can still reach 0.8: it goes on
        assertThat(new SequentialTest(new Plan(4, 16, 0.8, 0, 0)).decide(votes("AB", "BA"))).isEqualTo(Decision.CONTINUE);
    }

    @Test
    void theLastLookIsTheRoutersThresholdAndOtherwiseStopsAtTheMaximum() {
        SequentialTest fourOnly = new SequentialTest(new Plan(4, 4, 0.8, 1.0, 0));
        assertThat(fourOnly.decide(votes("AA", "AA"))).isEqualTo(Decision.SETTLED);
        assertThat(fourOnly.decide(votes("AA", "AB"))).isEqualTo(Decision.MAX_SAMPLES);
        assertThat(new SequentialTest(new Plan(4, 16, 0.8, 0.7, 0.3)).decide(votes("A", "A"))).isEqualTo(Decision.CONTINUE);
    }

    @Test
    void theDefaultPlanHasAConstantInterimBoundaryAndTheRoutersThresholdAtTheEnd() {
        Plan p = new Plan(4, 20, 0.8, 0, 0.4, 0.93, 0.05);
        assertThat(p.boundary(4)).isEqualTo(0.93);
        assertThat(p.boundary(18)).isEqualTo(0.93);
        assertThat(p.boundary(20)).isEqualTo(0.8);
        SequentialTest t = new SequentialTest(p);
        assertThat(t.decide(votes("AA", "AA"))).isEqualTo(Decision.SETTLED);          // 0.9375 >= 0.93
        assertThat(t.decide(votes("AAA", "AAB"))).isEqualTo(Decision.CONTINUE);       // 5-1: 0.875 < 0.93
        // 9-3 at 12: Beta(10, 4), P(theta < 1/2) = P(Bin(13, 1/2) >= 10) = 378/8192, confidence 0.908 < 0.93
        assertThat(t.decide(votes("AAAAAB", "AAAABB"))).isEqualTo(Decision.CONTINUE);
        assertThat(t.decide(votes("AAAAAA", "AAAABB"))).isEqualTo(Decision.SETTLED);    // 10-2: Beta(11, 3), 1 - 2 * 92/8192 = 0.978
    }

    @Test
    void consistentReachGivesEachOrderItsOwnPosterior() {
        SequentialTest t = new SequentialTest(new Plan(4, 6, 0.8, 0, 0, 0, 0));
        // AB 2-0, BA 1-1, one more vote per order. AB: Beta(3,1) → A with 3/4; BA: Beta(2,2) → A with 1/2.
        // Only (A, A) ends confident and consistent: 5-1, 0.875, both halves A → 3/4 * 1/2
        assertThat(t.consistentReachProbability(votes("AA", "AB"), 2)).isCloseTo(0.375, within(1e-12));
        // AB 2-0 for A, BA 0-2 (for B), two more per order: no half can change side, so never consistent,
        // although the pooled votes could still reach 6-2 (0.82)
        SequentialTest t8 = new SequentialTest(new Plan(4, 8, 0.8, 0, 0, 0, 0));
        assertThat(t8.consistentReachProbability(votes("AA", "BB"), 4)).isZero();
        assertThat(t8.reachProbability(VoteMath.tally(votes("AA", "BB")), 4)).isPositive();
        assertThat(t8.decide(votes("AA", "BB"))).isEqualTo(Decision.FUTILE);
    }

    @Test
    void plansAreValidated() {
        assertThatThrownBy(() -> new Plan(3, 16, 0.8, 0.7, 0.3)).hasMessageContaining("even");
        assertThatThrownBy(() -> new Plan(4, 2, 0.8, 0.7, 0.3)).hasMessageContaining("at least the minimum");
        assertThatThrownBy(() -> new Plan(4, 16, 1.0, 0.7, 0.3)).hasMessageContaining("threshold");
    }
}
