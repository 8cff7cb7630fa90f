package dev.rlaif.rm;

/**
 * Preference probability and strength from an ensemble of reward heads (Secrets of RLHF II, section 3):
 * each head h gives a margin {@code d_h = r_A,h - r_B,h}; the preference is the mean of {@code sigmoid(d_h)},
 * and the heads' agreement says how sure the ensemble is.
 */
public final class EnsembleMath {

    private EnsembleMath() {
    }

    /** {@code mean_h sigmoid(rA[h] - rB[h])}: the probability that A is preferred. */
    public static double probabilityAPreferred(float[] rewardsA, float[] rewardsB) {
        check(rewardsA, rewardsB);
        double sum = 0;
        for (int h = 0; h < rewardsA.length; h++) {
            sum += sigmoid(rewardsA[h] - rewardsB[h]);
        }
        return sum / rewardsA.length;
    }

    /** Mean margin {@code mean_h (rA[h] - rB[h])}: the preference strength of the paper (negative when B is preferred). */
    public static double meanMargin(float[] rewardsA, float[] rewardsB) {
        check(rewardsA, rewardsB);
        double sum = 0;
        for (int h = 0; h < rewardsA.length; h++) {
            sum += rewardsA[h] - rewardsB[h];
        }
        return sum / rewardsA.length;
    }

    /** Standard deviation of the margins over heads: how much the heads disagree. */
    public static double marginSpread(float[] rewardsA, float[] rewardsB) {
        double mean = meanMargin(rewardsA, rewardsB);
        double ss = 0;
        for (int h = 0; h < rewardsA.length; h++) {
            double d = rewardsA[h] - rewardsB[h] - mean;
            ss += d * d;
        }
        return Math.sqrt(ss / rewardsA.length);
    }

    /**
     * Confidence in [0, 1] of the ensemble's verdict: the share of heads that agree with the mean's sign,
     * rescaled so that a split vote gives 0 and a unanimous one gives {@code |2p - 1|}'s weight in full.
     * Formally {@code (2 * agree/H - 1) * |2p - 1|}: unanimous heads with a clear margin approach 1.
     */
    public static double confidence(float[] rewardsA, float[] rewardsB) {
        double p = probabilityAPreferred(rewardsA, rewardsB);
        boolean aWins = p >= 0.5;
        int agree = 0;
        for (int h = 0; h < rewardsA.length; h++) {
            if ((rewardsA[h] >= rewardsB[h]) == aWins) {
                agree++;
            }
        }
        double agreement = 2.0 * agree / rewardsA.length - 1.0;
        return Math.max(0, agreement) * Math.abs(2 * p - 1);
    }

    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    private static void check(float[] a, float[] b) {
        if (a.length == 0 || a.length != b.length) {
            throw new IllegalArgumentException("need the same non-zero number of heads, got " + a.length + " and " + b.length);
        }
    }
}
