package dev.rlaif.rm.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pairwise accuracy with a 95% Wilson interval and expected calibration error, from each pair's predicted
 * probability that the labeled winner wins.
 *
 * @param n             pairs
 * @param accuracy      share with p > 0.5 (p == 0.5 counts half)
 * @param ciLow         Wilson 95% lower bound
 * @param ciHigh        Wilson 95% upper bound
 * @param ece           expected calibration error over 10 equal-width bins of the predicted winner's probability
 * @param logLoss       mean -log p
 */
public record PairwiseMetrics(int n, double accuracy, double ciLow, double ciHigh, double ece, double logLoss) {

    /** @param pWinner per pair, the predicted probability that the labeled winner is preferred */
    public static PairwiseMetrics of(double[] pWinner) {
        int n = pWinner.length;
        if (n == 0) {
            return new PairwiseMetrics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double correct = 0;
        double ll = 0;
        int bins = 10;
        double[] conf = new double[bins];
        double[] hit = new double[bins];
        int[] count = new int[bins];
        for (double p : pWinner) {
            double c = p > 0.5 ? 1 : p == 0.5 ? 0.5 : 0;
            correct += c;
            ll += -Math.log(Math.max(1e-12, p));
            double top = Math.max(p, 1 - p);
            int b = Math.min(bins - 1, (int) ((top - 0.5) * 2 * bins));
            conf[b] += top;
            hit[b] += c;
            count[b]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                ece += Math.abs(hit[b] - conf[b]) / n;
            }
        }
        double acc = correct / n;
        double[] ci = wilson(acc, n);
        return new PairwiseMetrics(n, acc, ci[0], ci[1], ece, ll / n);
    }

    /** Wilson score interval at 95%. */
    public static double[] wilson(double p, int n) {
        double z = 1.959964;
        double denom = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("accuracy_ci_low", ciLow);
        m.put("accuracy_ci_high", ciHigh);
        m.put("ece", ece);
        m.put("log_loss", logLoss);
        m.put("n_eval", (double) n);
        return m;
    }
}
