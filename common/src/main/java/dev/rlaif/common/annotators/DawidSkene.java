package dev.rlaif.common.annotators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dawid and Skene (1979): annotators' reliabilities estimated without gold, by EM over one confusion matrix per
 * annotator. Pure and deterministic; the labeling statistics and the merger's human decision use it.
 *
 * <p>Items i, classes k (here A, B, tie), annotators j with confusion {@code π_j[k][l] = P(j says l | truth k)}
 * and class prior {@code p_k}. E-step: {@code T_ik ∝ p_k ∏_j π_j[k][l_ij]} over the labels item i got. M-step:
 * {@code p_k = mean_i T_ik}, {@code π_j[k][l] = (Σ_i T_ik [l_ij = l] + s) / (Σ_i T_ik [j labeled i] + K s)} with
 * an add-{@code s} smoothing that keeps a sparse annotator's matrix off 0 and 1. Started from the majority vote
 * (soft, ties split), iterated until no posterior moves by more than {@code tolerance}. An annotator's
 * reliability is the prior-weighted diagonal {@code Σ_k p_k π_j[k][k]}: the chance a label of theirs is right.
 * Below 1/K it means the annotator is worse than chance (or adversarial); EM then learns to read their labels
 * inverted, which a majority vote cannot.
 */
public final class DawidSkene {

    /** One label: an annotator's class (0..K-1) for an item. */
    public record Label(String item, String annotator, int label) {
    }

    /**
     * The fit.
     *
     * @param prior       class prior p_k
     * @param confusion   per annotator, π[k][l]
     * @param posteriors  per item, T_ik
     * @param counts      per annotator, items labeled
     * @param iterations  EM iterations run
     */
    public record Model(double[] prior, Map<String, double[][]> confusion, Map<String, double[]> posteriors,
                        Map<String, Integer> counts, int iterations) {

        /** Prior-weighted probability that a label of {@code annotator} is right; NaN for an unknown annotator. */
        public double reliability(String annotator) {
            double[][] c = confusion.get(annotator);
            if (c == null) {
                return Double.NaN;
            }
            double r = 0;
            for (int k = 0; k < prior.length; k++) {
                r += prior[k] * c[k][k];
            }
            return r;
        }

        /** The most probable class of an item (lowest index on an exact tie), or -1 for an unknown item. */
        public int decide(String item) {
            double[] t = posteriors.get(item);
            return t == null ? -1 : argmax(t);
        }

        /** Posterior of the classes for a new item from the given labels (annotator → class), with this model. */
        public double[] posterior(Map<String, Integer> labels) {
            double[] t = prior.clone();
            for (Map.Entry<String, Integer> e : labels.entrySet()) {
                double[][] c = confusion.get(e.getKey());
                if (c == null) {
                    continue;
                }
                for (int k = 0; k < t.length; k++) {
                    t[k] *= c[k][e.getValue()];
                }
            }
            return normalize(t);
        }
    }

    private final int classes;
    private final double smoothing;
    private final int maxIterations;
    private final double tolerance;

    public DawidSkene(int classes, double smoothing, int maxIterations, double tolerance) {
        if (classes < 2 || smoothing < 0 || maxIterations < 1 || tolerance <= 0) {
            throw new IllegalArgumentException("need classes >= 2, smoothing >= 0, maxIterations >= 1, tolerance > 0");
        }
        this.classes = classes;
        this.smoothing = smoothing;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
    }

    /** Defaults: add-0.5 smoothing, at most 100 iterations, tolerance 1e-6. */
    public static DawidSkene of(int classes) {
        return new DawidSkene(classes, 0.5, 100, 1e-6);
    }

    public Model fit(List<Label> labels) {
        Map<String, List<Label>> byItem = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Label l : labels) {
            if (l.label() < 0 || l.label() >= classes) {
                throw new IllegalArgumentException("label " + l.label() + " of " + l.item() + " is not in 0.." + (classes - 1));
            }
            byItem.computeIfAbsent(l.item(), k -> new ArrayList<>()).add(l);
            counts.merge(l.annotator(), 1, Integer::sum);
        }
        Map<String, double[]> t = new LinkedHashMap<>();
        byItem.forEach((item, ls) -> {
            double[] v = new double[classes];
            ls.forEach(l -> v[l.label()] += 1);
            t.put(item, normalize(v));
        });
        double[] prior = new double[classes];
        Map<String, double[][]> confusion = new HashMap<>();
        int it = 0;
        while (it < maxIterations) {
            it++;
            mStep(byItem, t, prior, confusion, counts);
            double moved = 0;
            for (Map.Entry<String, List<Label>> e : byItem.entrySet()) {
                double[] next = prior.clone();
                for (Label l : e.getValue()) {
                    double[][] c = confusion.get(l.annotator());
                    for (int k = 0; k < classes; k++) {
                        next[k] *= c[k][l.label()];
                    }
                }
                next = normalize(next);
                double[] old = t.put(e.getKey(), next);
                for (int k = 0; k < classes; k++) {
                    moved = Math.max(moved, Math.abs(next[k] - old[k]));
                }
            }
            if (moved < tolerance) {
                break;
            }
        }
        mStep(byItem, t, prior, confusion, counts);
        return new Model(prior, Map.copyOf(confusion), Map.copyOf(t), Map.copyOf(counts), it);
    }

    /** M-step: the prior and every annotator's smoothed confusion matrix from the current posteriors. */
    void mStep(Map<String, List<Label>> byItem, Map<String, double[]> t, double[] prior, Map<String, double[][]> confusion,
               Map<String, Integer> counts) {
        java.util.Arrays.fill(prior, 0);
        Map<String, double[][]> num = new HashMap<>();
        for (String a : counts.keySet()) {
            num.put(a, new double[classes][classes]);
        }
        for (Map.Entry<String, List<Label>> e : byItem.entrySet()) {
            double[] ti = t.get(e.getKey());
            for (int k = 0; k < classes; k++) {
                prior[k] += ti[k];
            }
            for (Label l : e.getValue()) {
                double[][] n = num.get(l.annotator());
                for (int k = 0; k < classes; k++) {
                    n[k][l.label()] += ti[k];
                }
            }
        }
        double items = byItem.size();
        for (int k = 0; k < classes; k++) {
            prior[k] = (prior[k] + 1e-9) / (items + classes * 1e-9);
        }
        num.forEach((a, n) -> {
            double[][] c = new double[classes][classes];
            for (int k = 0; k < classes; k++) {
                double row = 0;
                for (int l = 0; l < classes; l++) {
                    row += n[k][l];
                }
                for (int l = 0; l < classes; l++) {
                    c[k][l] = row + classes * smoothing == 0 ? 1.0 / classes : (n[k][l] + smoothing) / (row + classes * smoothing);
                }
            }
            confusion.put(a, c);
        });
    }

    static double[] normalize(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = s == 0 ? 1.0 / v.length : v[i] / s;
        }
        return out;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** 95% Wilson interval of a proportion p observed over n trials. */
    public static double[] wilson(double p, int n) {
        return dev.rlaif.common.stats.Wilson.interval(p, n);
    }
}
