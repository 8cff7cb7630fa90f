package dev.rlaif.judge.vote;

import dev.rlaif.schema.Order;
import dev.rlaif.schema.Verdict;
import org.apache.commons.math3.special.Beta;

import java.util.List;

/**
 * Turns k sampled verdicts (already mapped back to the pair's A and B) into the Judgment's numbers.
 *
 * <p>Let a, b, t, i count the A, B, tie and invalid votes; a tie counts as half a vote for each side.
 * The rate θ at which this judge prefers A gets a uniform Beta(1, 1) prior, so after the votes it is
 * {@code Beta(1 + a + t/2, 1 + b + t/2)}:
 * <ul>
 *   <li>{@code p_a} is the posterior mean {@code (1 + a + t/2) / (2 + a + b + t)}: 8 of 8 for A gives 0.9, not 1,
 *       and invalid votes pull nothing either way but make p less extreme.</li>
 *   <li>the verdict is A when a &gt; b and a &ge; t, B when b &gt; a and b &ge; t, TIE when ties are the strict
 *       plurality or a = b &gt; 0 (no majority), INVALID when no vote was valid.</li>
 *   <li>{@code confidence} for an A (B) verdict is {@code 2 P(θ > 1/2) - 1} ({@code 2 P(θ < 1/2) - 1}): 0 for a
 *       split vote, 0.996 for 8-0, 0.82 for 6-2, 0.49 for 5-3 with the k = 8 default. For a TIE verdict it is the same
 *       rescaling for the tie rate τ ~ Beta(1 + t, 1 + a + b), so a lone plurality of ties is not confident,
 *       and a = b without ties gives 0.</li>
 *   <li>{@code position_consistent}: the majority of the AB-order samples equals the majority of the BA-order
 *       samples (each after mapping back); a half without a valid vote is inconsistent.</li>
 * </ul>
 */
public final class VoteMath {

    private VoteMath() {
    }

    /** One sample's order and mapped-back verdict. */
    public record Vote(Order order, Verdict verdict) {
    }

    /** What the votes say. */
    public record Tally(int a, int b, int tie, int invalid, Verdict verdict, double pA, double confidence,
                        boolean positionConsistent) {
    }

    public static Tally tally(List<Vote> votes) {
        int a = 0, b = 0, t = 0, inv = 0;
        for (Vote v : votes) {
            switch (v.verdict()) {
                case A -> a++;
                case B -> b++;
                case TIE -> t++;
                default -> inv++;
            }
        }
        double alpha = 1 + a + t / 2.0;
        double beta = 1 + b + t / 2.0;
        double pA = alpha / (alpha + beta);
        Verdict verdict = majority(a, b, t);
        double confidence = switch (verdict) {
            case A -> rescale(1 - Beta.regularizedBeta(0.5, alpha, beta));
            case B -> rescale(Beta.regularizedBeta(0.5, alpha, beta));
            case TIE -> a == b && t == 0 ? 0.0 : rescale(1 - Beta.regularizedBeta(0.5, 1 + t, 1 + a + b));
            default -> 0.0;
        };
        boolean consistent = consistent(votes);
        return new Tally(a, b, t, inv, verdict, pA, confidence, consistent);
    }

    static Verdict majority(int a, int b, int t) {
        if (a + b + t == 0) {
            return Verdict.INVALID;
        }
        if (a > b && a >= t) {
            return Verdict.A;
        }
        if (b > a && b >= t) {
            return Verdict.B;
        }
        return Verdict.TIE;
    }

    private static boolean consistent(List<Vote> votes) {
        Verdict ab = half(votes, Order.AB);
        Verdict ba = half(votes, Order.BA);
        return ab != Verdict.INVALID && ab == ba;
    }

    private static Verdict half(List<Vote> votes, Order order) {
        int a = 0, b = 0, t = 0;
        for (Vote v : votes) {
            if (v.order() == order) {
                switch (v.verdict()) {
                    case A -> a++;
                    case B -> b++;
                    case TIE -> t++;
                    default -> {
                    }
                }
            }
        }
        return majority(a, b, t);
    }

    private static double rescale(double probability) {
        return Math.max(0.0, Math.min(1.0, 2 * probability - 1));
    }
}
