package dev.rlaif.rm.eval;

import org.apache.commons.math3.distribution.BinomialDistribution;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Two models on the same pairs: how many pairs only one of them gets right, and the exact two-sided McNemar
 * (sign) test on those. Comparing two accuracies measured on the same pairs this way has far more power than
 * comparing their separate confidence intervals, which share most of their noise.
 *
 * @param n        pairs
 * @param onlyA    pairs model A gets right and model B wrong
 * @param onlyB    pairs model B gets right and model A wrong
 * @param pValue   exact two-sided McNemar p-value: P(|X - m/2| >= |onlyA - m/2|), X ~ Binomial(m = onlyA + onlyB, 1/2)
 */
public record PairedComparison(int n, int onlyA, int onlyB, double pValue) {

    /** @param pA, pB per pair, each model's probability that the labeled winner wins (p > 0.5 is a hit) */
    public static PairedComparison of(double[] pA, double[] pB) {
        if (pA.length != pB.length) {
            throw new IllegalArgumentException("different pair counts: " + pA.length + " and " + pB.length);
        }
        int a = 0;
        int b = 0;
        for (int i = 0; i < pA.length; i++) {
            boolean hitA = pA[i] > 0.5;
            boolean hitB = pB[i] > 0.5;
            a += hitA && !hitB ? 1 : 0;
            b += hitB && !hitA ? 1 : 0;
        }
        return new PairedComparison(pA.length, a, b, mcnemar(a, b));
    }

    /** Accuracy of A minus accuracy of B. */
    public double difference() {
        return n == 0 ? Double.NaN : (double) (onlyA - onlyB) / n;
    }

    static double mcnemar(int a, int b) {
        int m = a + b;
        if (m == 0) {
            return 1.0;
        }
        return Math.min(1.0, 2 * new BinomialDistribution(null, m, 0.5).cumulativeProbability(Math.min(a, b)));
    }

    public Map<String, Object> asMap(String a, String b) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("only_" + a, onlyA);
        out.put("only_" + b, onlyB);
        out.put("mcnemar_p", Math.round(pValue * 1e4) / 1e4);
        return out;
    }
}
