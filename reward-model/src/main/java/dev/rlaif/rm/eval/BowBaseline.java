package dev.rlaif.rm.eval;

import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.feature.Lexical;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The reference the reward model has to beat: a hashed bag-of-words (unigrams + bigrams of the response,
 * 2^18 buckets, binary) logistic regression on the difference {@code x_chosen - x_rejected},
 * {@code P(chosen wins) = sigmoid(w . (x_c - x_r))}, trained by AdaGrad with L2 for a few epochs.
 */
public final class BowBaseline {

    private static final int BUCKETS = 1 << 18;
    private final float[] w = new float[BUCKETS];

    private BowBaseline() {
    }

    public static BowBaseline train(List<LabeledPair> pairs, int epochs, double lr, double l2, long seed) {
        BowBaseline m = new BowBaseline();
        float[] g2 = new float[BUCKETS];
        Random random = new Random(seed);
        int[] order = new int[pairs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<Map<Integer, Float>> diffs = pairs.stream().map(BowBaseline::diff).toList();
        for (int e = 0; e < epochs; e++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i : order) {
                Map<Integer, Float> x = diffs.get(i);
                double z = m.dot(x);
                double g = -(1 - sigmoid(z));
                for (var en : x.entrySet()) {
                    int k = en.getKey();
                    double grad = g * en.getValue() + l2 * m.w[k];
                    g2[k] += (float) (grad * grad);
                    m.w[k] -= (float) (lr * grad / Math.sqrt(g2[k] + 1e-8));
                }
            }
        }
        return m;
    }

    public static BowBaseline train(List<LabeledPair> pairs) {
        return train(pairs, 8, 0.1, 1e-4, 7);
    }

    /** Probability that the pair's labeled winner wins. */
    public double pChosen(LabeledPair p) {
        return sigmoid(dot(diff(p)));
    }

    private double dot(Map<Integer, Float> x) {
        double z = 0;
        for (var en : x.entrySet()) {
            z += w[en.getKey()] * en.getValue();
        }
        return z;
    }

    private static Map<Integer, Float> diff(LabeledPair p) {
        Map<Integer, Float> x = new HashMap<>();
        for (int b : Lexical.hashedTerms(p.chosen(), BUCKETS)) {
            x.merge(b, 1f, Float::sum);
        }
        for (int b : Lexical.hashedTerms(p.rejected(), BUCKETS)) {
            x.merge(b, -1f, Float::sum);
        }
        x.values().removeIf(v -> v == 0f);
        return x;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
