package dev.rlaif.merger.merge;

import dev.rlaif.common.annotators.DawidSkene;
import dev.rlaif.schema.Choice;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The annotators' reliabilities as the merger knows them: a Dawid–Skene fit over the pairs of its state store that
 * two or more annotators labeled (the only pairs that say anything about who agrees with whom), kept as the value
 * {@value #KEY} of the store {@code merger-annotators} (JSON), so it survives restarts and every replay decides the
 * same. Estimated from the human-labels stream the merger already reads rather than published by the labeling
 * service: no new topic, and it sees the labels of outside tools too.
 *
 * <p>A pair's human decision uses it when every annotator of the pair has at least {@code minLabels} labels in the
 * fit: the class with the highest posterior {@code p_k ∏_j π_j[k][l_j]}; otherwise the plain majority decides.
 */
public final class AnnotatorModel {

    public static final String KEY = "model";
    static final List<String> CLASSES = List.of("A", "B", "TIE");

    public double[] prior;
    public Map<String, double[][]> confusion = new TreeMap<>();
    public Map<String, Integer> counts = new TreeMap<>();
    /** Human labels processed since the last fit (the refit trigger). */
    public int labelsSinceFit;
    public int pairsFitted;

    /** Fits the model on the states with at least two annotators; null when there are none. */
    public static AnnotatorModel fit(Iterable<PairState> states) {
        List<DawidSkene.Label> labels = new ArrayList<>();
        int pairs = 0;
        int i = 0;
        for (PairState s : states) {
            i++;
            if (s == null || s.annotators.size() < 2) {
                continue;
            }
            pairs++;
            String item = "p" + i;
            s.annotators.forEach((annotator, vote) -> {
                int k = CLASSES.indexOf(vote.choice());
                if (k >= 0) {
                    labels.add(new DawidSkene.Label(item, annotator, k));
                }
            });
        }
        AnnotatorModel m = new AnnotatorModel();
        if (pairs == 0) {
            return m;
        }
        DawidSkene.Model fit = DawidSkene.of(CLASSES.size()).fit(labels);
        m.prior = fit.prior();
        m.confusion = new TreeMap<>(fit.confusion());
        m.counts = new TreeMap<>(fit.counts());
        m.pairsFitted = pairs;
        return m;
    }

    /** Reliability of one annotator (prior-weighted diagonal), NaN when unknown. */
    public double reliability(String annotator) {
        return prior == null ? Double.NaN : model().reliability(annotator);
    }

    /** The reliability-weighted decision of a pair's annotators, when every one of them is known well enough. */
    public Optional<MergeRules.Majority> decide(PairState s, int minLabels) {
        if (prior == null || s.annotators.isEmpty() || minLabels <= 0) {
            return Optional.empty();
        }
        Map<String, Integer> labels = new TreeMap<>();
        for (Map.Entry<String, PairState.Vote> e : s.annotators.entrySet()) {
            int k = CLASSES.indexOf(e.getValue().choice());
            if (k < 0 || counts.getOrDefault(e.getKey(), 0) < minLabels) {
                return Optional.empty();
            }
            labels.put(e.getKey(), k);
        }
        double[] p = model().posterior(labels);
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        Choice choice = Choice.valueOf(CLASSES.get(best));
        MergeRules.Majority plain = MergeRules.majority(s.annotators.values().stream()
                .map(v -> Choice.valueOf(v.choice())).toList()).orElseThrow();
        return Optional.of(new MergeRules.Majority(choice, choice == Choice.TIE, labels.size(), plain.agreement(),
                choice == Choice.TIE ? 0.0 : Math.abs(p[0] - p[1])));
    }

    private DawidSkene.Model model() {
        return new DawidSkene.Model(prior, confusion, Map.of(), counts, 0);
    }
}
