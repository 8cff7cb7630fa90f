package dev.rlaif.judge.vote;

import dev.rlaif.schema.Verdict;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

import java.util.List;

/**
 * When to stop drawing votes for a pair: a group-sequential Bayesian test on θ, the rate at which the judge prefers A
 * (both orders pooled, so the position bias cancels), against ½. Kafka-free and unit-tested; docs/judge.md derives it.
 *
 * <p>After each look (every AB/BA round from {@code min} samples on) the votes give {@link VoteMath#tally}'s
 * posterior {@code Beta(1 + a + t/2, 1 + b + t/2)} and its confidence {@code c = 2 P(θ on the verdict's side) - 1},
 * the number the router compares with its threshold {@code τ}. Stopping the first time {@code c ≥ τ} would be
 * optional stopping: the chance of a wrong label grows with every look. So the test spends the error budget
 * over the looks like a Lan-DeMets power-family alpha-spending function: at look n of at most K samples the pair is
 * <b>settled</b> when it is position-consistent and
 * <pre>
 *   1 - P(θ on the verdict's side) ≤ α(n) = (1 - τ)/2 · (n / K)^ρ,   i.e.   c ≥ 1 - (1 - τ)(n / K)^ρ
 * </pre>
 * so early looks demand far stronger evidence and the last look is exactly the router's threshold (ρ = 0 is the
 * naive rule). It is <b>futile</b> when the posterior predictive probability that the votes still to come (up to K)
 * lift the confidence to τ is below {@code futility}: the predictive number of A votes among the m remaining is
 * beta-binomial. With {@code futility = 0} only a pair that cannot reach τ even if every remaining vote goes to
 * its leader stops early (curtailment). Since the router also wants both orders' majorities on the same side, a
 * second predictive probability gives each order its own posterior and asks for a confident <i>and consistent</i>
 * end ({@code consistencyFutility}). An optional constant interim boundary {@code early} (Pocock-type) caps how
 * cheaply an interim look may settle. At K it stops as {@code MAX_SAMPLES} and the router decides as usual.
 */
public final class SequentialTest {

    /** What to do after a look. */
    public enum Decision { CONTINUE, SETTLED, FUTILE, MAX_SAMPLES }

    /**
     * @param minSamples first look (at least 2, even: half per order)
     * @param maxSamples last look, K (even, at least minSamples)
     * @param threshold  τ, the router's confidence threshold
     * @param rho        exponent of the spending function (0: naive, 1: linear, larger: stricter early)
     * @param futility   predictive probability of reaching τ below which a pair stops as futile (0: curtailment only)
     * @param early      the least confidence an interim look (n &lt; K) needs, whatever the spending function says
     *                   (a Pocock-type constant boundary; 0 for none)
     * @param consistencyFutility predictive probability of ending both confident and position-consistent below which
     *                   a pair stops as futile (0: only when that is impossible)
     */
    public record Plan(int minSamples, int maxSamples, double threshold, double rho, double futility, double early,
                       double consistencyFutility) {

        /** A plan with the power-family boundary alone and futility on the confidence alone. */
        public Plan(int minSamples, int maxSamples, double threshold, double rho, double futility) {
            this(minSamples, maxSamples, threshold, rho, futility, 0, 0);
        }

        public Plan {
            if (minSamples < 2 || minSamples % 2 != 0) {
                throw new IllegalArgumentException("minimum samples must be even and at least 2, was " + minSamples);
            }
            if (maxSamples < minSamples || maxSamples % 2 != 0) {
                throw new IllegalArgumentException("maximum samples must be even and at least the minimum ("
                        + minSamples + "), was " + maxSamples);
            }
            if (!(threshold > 0 && threshold < 1)) {
                throw new IllegalArgumentException("threshold must be in (0, 1), was " + threshold);
            }
            if (!(rho >= 0) || !(futility >= 0 && futility < 1) || !(consistencyFutility >= 0 && consistencyFutility < 1)) {
                throw new IllegalArgumentException("rho must be >= 0 and futility levels in [0, 1), were " + rho + ", "
                        + futility + ", " + consistencyFutility);
            }
            if (!(early >= 0 && early < 1)) {
                throw new IllegalArgumentException("early boundary must be in [0, 1), was " + early);
            }
        }

        /** The confidence a pair needs to settle at a look after {@code n} samples. */
        public double boundary(int n) {
            if (n >= maxSamples) {
                return threshold;
            }
            return Math.max(Math.max(threshold, early),
                    1 - (1 - threshold) * Math.pow(n / (double) maxSamples, rho));
        }
    }

    private final Plan plan;

    public SequentialTest(Plan plan) {
        this.plan = plan;
    }

    public Plan plan() {
        return plan;
    }

    /** The decision after the given votes (all drawn so far; invalid votes count as drawn samples). */
    public Decision decide(List<VoteMath.Vote> votes) {
        int n = votes.size();
        VoteMath.Tally t = VoteMath.tally(votes);
        if (n < plan.minSamples() && n < plan.maxSamples()) {
            return Decision.CONTINUE;
        }
        boolean sided = t.verdict() == Verdict.A || t.verdict() == Verdict.B;
        if (sided && t.positionConsistent() && t.confidence() >= plan.boundary(n)) {
            return Decision.SETTLED;
        }
        if (n >= plan.maxSamples()) {
            return Decision.MAX_SAMPLES;
        }
        boolean passesNow = sided && t.positionConsistent() && t.confidence() >= plan.threshold();
        if (!passesNow && (reachProbability(t, plan.maxSamples() - n) <= plan.futility()
                || consistentReachProbability(votes, plan.maxSamples() - n) <= plan.consistencyFutility())) {
            return Decision.FUTILE;
        }
        return Decision.CONTINUE;
    }

    /**
     * Posterior predictive probability that after {@code m} more votes (m/2 per order) the pair both reaches the
     * threshold and is position-consistent on the winning side, as the router requires. Each order's vote rate gets its
     * own posterior Beta(1 + a_o, 1 + b_o) (ties and invalid votes left out), so a judge whose AB and BA halves point
     * to different sides is seen to stay inconsistent; the sum runs over the (m/2 + 1)² outcomes.
     */
    double consistentReachProbability(List<VoteMath.Vote> votes, int m) {
        int aAb = 0, bAb = 0, aBa = 0, bBa = 0, ties = 0;
        for (VoteMath.Vote v : votes) {
            boolean ab = v.order() == dev.rlaif.schema.Order.AB;
            switch (v.verdict()) {
                case A -> { if (ab) { aAb++; } else { aBa++; } }
                case B -> { if (ab) { bAb++; } else { bBa++; } }
                case TIE -> ties++;
                default -> { }
            }
        }
        int half = m / 2;
        double[] pAb = new double[half + 1];
        double[] pBa = new double[half + 1];
        for (int x = 0; x <= half; x++) {
            pAb[x] = Math.exp(logBetaBinomial(x, half, 1 + aAb, 1 + bAb));
            pBa[x] = Math.exp(logBetaBinomial(x, half, 1 + aBa, 1 + bBa));
        }
        double p = 0;
        for (int x = 0; x <= half; x++) {
            int fa = aAb + x;
            int fb = bAb + half - x;
            for (int y = 0; y <= half; y++) {
                int ga = aBa + y;
                int gb = bBa + half - y;
                int side = Integer.signum((fa + ga) - (fb + gb));
                if (side != 0 && Integer.signum(fa - fb) == side && Integer.signum(ga - gb) == side
                        && confidence(1 + fa + ga + ties / 2.0, 1 + fb + gb + ties / 2.0) >= plan.threshold()) {
                    p += pAb[x] * pBa[y];
                }
            }
        }
        return Math.min(1.0, p);
    }

    /**
     * Posterior predictive probability that after {@code m} more (valid, tie-free) votes the confidence reaches the
     * threshold on either side: the sum of the beta-binomial pmf over the outcomes x (A votes of m) that do.
     */
    double reachProbability(VoteMath.Tally t, int m) {
        double alpha = 1 + t.a() + t.tie() / 2.0;
        double beta = 1 + t.b() + t.tie() / 2.0;
        double p = 0;
        for (int x = 0; x <= m; x++) {
            if (confidence(alpha + x, beta + m - x) >= plan.threshold()) {
                p += Math.exp(logBetaBinomial(x, m, alpha, beta));
            }
        }
        return Math.min(1.0, p);
    }

    /** {@code |2 P(θ > ½) - 1|} under Beta(alpha, beta): the confidence of whichever side leads. */
    static double confidence(double alpha, double beta) {
        return Math.abs(1 - 2 * Beta.regularizedBeta(0.5, alpha, beta));
    }

    static double logBetaBinomial(int x, int m, double alpha, double beta) {
        return logChoose(m, x) + Beta.logBeta(x + alpha, m - x + beta) - Beta.logBeta(alpha, beta);
    }

    private static double logChoose(int m, int x) {
        return Gamma.logGamma(m + 1.0) - Gamma.logGamma(x + 1.0) - Gamma.logGamma(m - x + 1.0);
    }
}
