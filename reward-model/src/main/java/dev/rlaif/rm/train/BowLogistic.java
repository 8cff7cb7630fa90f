package dev.rlaif.rm.train;

import dev.rlaif.rm.BowWeights;
import dev.rlaif.rm.EnsembleMath;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Pairwise logistic regression over hashed bags of words: {@code P(chosen wins) = sigmoid(w . (x_chosen - x_rejected))}
 * with binary unigram + bigram indicators x, trained by AdaGrad with L2 (on the coordinates a step touches).
 * It is both the bar the reward model must clear ({@link dev.rlaif.rm.eval.BowBaseline}) and the reward model's own
 * bag-of-words head ({@link BowWeights}), trained the same way on the same pairs.
 *
 * <p>{@link #fit} chooses the learning rate and the number of epochs by 3-fold cross-validation inside the training
 * pairs, never on the pairs it is measured on: with ~1,500 pairs and 2^18 buckets the model overfits after one or
 * two passes, and a fixed setting (8 epochs, lr 0.1) made the bar about 3 points lower than it should be. The
 * epochs of the grid are read off one run per (lr, fold), evaluated after epochs 1, 2, 4 and 8: a run of e epochs
 * with the same seed is exactly the first e epochs of the longer one.
 */
public final class BowLogistic {

    /** Learning rates and epoch counts of the grid. */
    public static final double[] LRS = {0.005, 0.01, 0.02, 0.05, 0.1};
    public static final int[] EPOCHS = {1, 2, 4, 8};
    static final int INNER_FOLDS = 3;
    static final double L2 = 1e-4;
    static final long SEED = 7;

    /** One training pair: the distinct buckets of each response and the pair's weight. */
    public record TermPair(int[] chosen, int[] rejected, float weight) {
    }

    /**
     * The grid point chosen by inner CV.
     *
     * @param lr       learning rate
     * @param epochs   passes over the pairs
     * @param accuracy inner-CV accuracy (NaN when too few pairs to tune)
     * @param n        pairs it was tuned on
     */
    public record Tuning(double lr, int epochs, double accuracy, int n) {
        /** Whether this tuning still fits a training set of {@code size} pairs (tuned on at least half as many). */
        public boolean fits(int size) {
            return n >= INNER_FOLDS * 2 && 2L * n >= size;
        }
    }

    private BowLogistic() {
    }

    /** The trained head and the setting it used. */
    public record Fit(BowWeights weights, Tuning tuning) {
    }

    /**
     * Trains on all pairs with a setting chosen by inner CV; {@code reuse}, when it still fits (tuned on at least
     * half as many pairs), skips the tuning (the trainer service retunes as its buffer doubles).
     */
    public static Fit fit(List<TermPair> pairs, int buckets, Tuning reuse) {
        Tuning t = reuse != null && reuse.fits(pairs.size()) ? reuse : tune(pairs, buckets);
        return new Fit(train(pairs, buckets, t.epochs(), t.lr()), t);
    }

    /** The best grid point by inner 3-fold CV (ties: the smaller lr, then fewer epochs). */
    public static Tuning tune(List<TermPair> pairs, int buckets) {
        int n = pairs.size();
        if (n < 2 * INNER_FOLDS) {
            return new Tuning(0.02, 1, Double.NaN, n);
        }
        Diff[] diffs = diffs(pairs);
        int[][] correct = new int[LRS.length][EPOCHS.length];
        for (int li = 0; li < LRS.length; li++) {
            for (int k = 0; k < INNER_FOLDS; k++) {
                int fold = k;
                int[] train = java.util.stream.IntStream.range(0, n).filter(j -> j % INNER_FOLDS != fold).toArray();
                int[] test = java.util.stream.IntStream.range(0, n).filter(j -> j % INNER_FOLDS == fold).toArray();
                int li2 = li;
                train(diffs, train, buckets, EPOCHS[EPOCHS.length - 1], LRS[li], (epoch, w) -> {
                    int ei = Arrays.binarySearch(EPOCHS, epoch);
                    if (ei >= 0) {
                        for (int j : test) {
                            correct[li2][ei] += diffs[j].dot(w) > 0 ? 1 : 0;
                        }
                    }
                });
            }
        }
        Tuning best = null;
        for (int li = 0; li < LRS.length; li++) {
            for (int ei = 0; ei < EPOCHS.length; ei++) {
                double acc = (double) correct[li][ei] / n;
                if (best == null || acc > best.accuracy()) {
                    best = new Tuning(LRS[li], EPOCHS[ei], acc, n);
                }
            }
        }
        return best;
    }

    /** Trains with a fixed setting. */
    public static BowWeights train(List<TermPair> pairs, int buckets, int epochs, double lr) {
        Diff[] diffs = diffs(pairs);
        float[] w = train(diffs, java.util.stream.IntStream.range(0, diffs.length).toArray(), buckets, epochs, lr, null);
        return new BowWeights(w);
    }

    private interface EpochEnd {
        void done(int epoch, float[] w);
    }

    private static float[] train(Diff[] diffs, int[] rows, int buckets, int epochs, double lr, EpochEnd onEpoch) {
        float[] w = new float[buckets];
        float[] g2 = new float[buckets];
        Random random = new Random(SEED);
        int[] order = rows.clone();
        for (int e = 1; e <= epochs; e++) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i : order) {
                Diff d = diffs[i];
                double g = -(1 - EnsembleMath.sigmoid(d.dot(w))) * d.weight;
                for (int t = 0; t < d.index.length; t++) {
                    int k = d.index[t];
                    double grad = g * d.value[t] + L2 * w[k];
                    g2[k] += (float) (grad * grad);
                    w[k] -= (float) (lr * grad / Math.sqrt(g2[k] + 1e-8));
                }
            }
            if (onEpoch != null) {
                onEpoch.done(e, w);
            }
        }
        return w;
    }

    /** x_chosen - x_rejected as sorted (index, value) arrays without zeros. */
    private record Diff(int[] index, float[] value, float weight) {
        double dot(float[] w) {
            double z = 0;
            for (int t = 0; t < index.length; t++) {
                z += w[index[t]] * value[t];
            }
            return z;
        }
    }

    private static Diff[] diffs(List<TermPair> pairs) {
        Diff[] out = new Diff[pairs.size()];
        for (int i = 0; i < out.length; i++) {
            TermPair p = pairs.get(i);
            int[] c = p.chosen().clone();
            int[] r = p.rejected().clone();
            Arrays.sort(c);
            Arrays.sort(r);
            int[] idx = new int[c.length + r.length];
            float[] val = new float[idx.length];
            int a = 0;
            int b = 0;
            int k = 0;
            while (a < c.length || b < r.length) {
                if (b >= r.length || (a < c.length && c[a] < r[b])) {
                    idx[k] = c[a++];
                    val[k++] = 1f;
                } else if (a >= c.length || r[b] < c[a]) {
                    idx[k] = r[b++];
                    val[k++] = -1f;
                } else {
                    a++;
                    b++;
                }
            }
            out[i] = new Diff(Arrays.copyOf(idx, k), Arrays.copyOf(val, k), p.weight());
        }
        return out;
    }
}
