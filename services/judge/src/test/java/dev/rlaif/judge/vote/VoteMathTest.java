package dev.rlaif.judge.vote;

import dev.rlaif.schema.Order;
import dev.rlaif.schema.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class VoteMathTest {

    /** Votes: the AB half then the BA half, verdicts already in the pair's terms. */
    private static List<VoteMath.Vote> votes(String ab, String ba) {
        List<VoteMath.Vote> out = new ArrayList<>();
        for (char c : ab.toCharArray()) {
            out.add(new VoteMath.Vote(Order.AB, verdict(c)));
        }
        for (char c : ba.toCharArray()) {
            out.add(new VoteMath.Vote(Order.BA, verdict(c)));
        }
        return out;
    }

    private static Verdict verdict(char c) {
        return switch (c) {
            case 'A' -> Verdict.A;
            case 'B' -> Verdict.B;
            case 'T' -> Verdict.TIE;
            default -> Verdict.INVALID;
        };
    }

    @Test
    void unanimousVotesGiveAConfidentVerdictAndAShrunkProbability() {
        VoteMath.Tally t = VoteMath.tally(votes("AAAA", "AAAA"));
        assertThat(t.verdict()).isEqualTo(Verdict.A);
        assertThat(t.pA()).isCloseTo(0.9, within(1e-12));              // Beta(9,1) mean
        assertThat(t.confidence()).isCloseTo(1 - 2 * Math.pow(0.5, 9), within(1e-9)); // 2P(θ>½)-1
        assertThat(t.positionConsistent()).isTrue();
        assertThat(t.a()).isEqualTo(8);
    }

    @Test
    void confidenceFollowsTheBetaPosteriorOfTheMargin() {
        // Beta(7,3): P(θ<½) = P(Bin(9,½) ≥ 7) = 46/512
        VoteMath.Tally sixTwo = VoteMath.tally(votes("AAAB", "AAAB"));
        assertThat(sixTwo.confidence()).isCloseTo(2 * (1 - 46 / 512.0) - 1, within(1e-9));
        // Beta(6,4): P(θ<½) = 130/512
        VoteMath.Tally fiveThree = VoteMath.tally(votes("BBBA", "BBAA"));
        assertThat(fiveThree.verdict()).isEqualTo(Verdict.B);
        assertThat(fiveThree.confidence()).isCloseTo(2 * (1 - 130 / 512.0) - 1, within(1e-9));
        assertThat(fiveThree.pA()).isCloseTo(4 / 10.0, within(1e-12));
        assertThat(sixTwo.confidence()).isGreaterThan(fiveThree.confidence());
    }

    @Test
    void positionBiasCancelsIntoATieWithoutConfidence() {
        // the judge always picks the first shown: A in order AB, B (mapped back) in order BA
        VoteMath.Tally t = VoteMath.tally(votes("AAAA", "BBBB"));
        assertThat(t.verdict()).isEqualTo(Verdict.TIE);
        assertThat(t.pA()).isCloseTo(0.5, within(1e-12));
        assertThat(t.confidence()).isZero();
        assertThat(t.positionConsistent()).isFalse();
    }

    @Test
    void invalidVotesAreCountedAndLowerConfidence() {
        VoteMath.Tally t = VoteMath.tally(votes("AAxx", "AAxx"));
        assertThat(t.invalid()).isEqualTo(4);
        assertThat(t.verdict()).isEqualTo(Verdict.A);
        assertThat(t.confidence()).isLessThan(VoteMath.tally(votes("AAAA", "AAAA")).confidence());
        VoteMath.Tally none = VoteMath.tally(votes("xxxx", "xxxx"));
        assertThat(none.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(none.confidence()).isZero();
        assertThat(none.pA()).isEqualTo(0.5);
        assertThat(none.positionConsistent()).isFalse();
    }

    @Test
    void tiesCountHalfEachSideAndWinAsPlurality() {
        VoteMath.Tally t = VoteMath.tally(votes("TTTA", "TTTB"));
        assertThat(t.verdict()).isEqualTo(Verdict.TIE);
        assertThat(t.pA()).isCloseTo(0.5, within(1e-12));
        // τ ~ Beta(7, 3)
        assertThat(t.confidence()).isCloseTo(2 * (1 - 46 / 512.0) - 1, within(1e-9));
        VoteMath.Tally leaning = VoteMath.tally(votes("AATT", "AATT"));
        assertThat(leaning.verdict()).isEqualTo(Verdict.A);
        assertThat(leaning.pA()).isCloseTo((1 + 4 + 2) / 10.0, within(1e-12));
    }
}
