package dev.rlaif.labeling.stats;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chance-corrected agreement between labels over categorical choices (A, B, TIE).
 *
 * <ul>
 * <li>Cohen's kappa of two raters over paired ratings: {@code κ = (p_o - p_e) / (1 - p_e)}, with {@code p_o} the
 * share of pairs that agree and {@code p_e = Σ_k p1(k)·p2(k)} the agreement expected from each rater's marginals.</li>
 * <li>Fleiss' kappa of many raters, items with any number {@code n_i ≥ 2} of ratings:
 * {@code P_i = (Σ_k n_ik² - n_i) / (n_i (n_i - 1))}, {@code P̄} their mean, {@code p_k = Σ_i n_ik / Σ_i n_i},
 * {@code P_e = Σ_k p_k²}, {@code κ = (P̄ - P_e) / (1 - P_e)}.</li>
 * </ul>
 * Both return null when undefined (no data, or expected agreement 1 with no disagreement possible).
 */
public final class Agreement {

    private Agreement() {
    }

    /** Cohen's kappa over pairs {@code [rater1, rater2]}. */
    public static Double cohen(List<String[]> pairs) {
        if (pairs.isEmpty()) {
            return null;
        }
        Map<String, Integer> m1 = new HashMap<>();
        Map<String, Integer> m2 = new HashMap<>();
        int agree = 0;
        for (String[] p : pairs) {
            m1.merge(p[0], 1, Integer::sum);
            m2.merge(p[1], 1, Integer::sum);
            if (p[0].equals(p[1])) {
                agree++;
            }
        }
        double n = pairs.size();
        double po = agree / n;
        double pe = 0;
        for (var e : m1.entrySet()) {
            pe += (e.getValue() / n) * (m2.getOrDefault(e.getKey(), 0) / n);
        }
        if (pe >= 1.0) {
            return po >= 1.0 ? 1.0 : null;
        }
        return (po - pe) / (1 - pe);
    }

    /** Fleiss' kappa over items, each the list of its ratings; items with fewer than two ratings are ignored. */
    public static Double fleiss(Collection<List<String>> items) {
        double sumP = 0;
        int nItems = 0;
        Map<String, Integer> totals = new HashMap<>();
        long totalRatings = 0;
        for (List<String> ratings : items) {
            int ni = ratings.size();
            if (ni < 2) {
                continue;
            }
            Map<String, Integer> counts = new HashMap<>();
            ratings.forEach(r -> counts.merge(r, 1, Integer::sum));
            double sq = 0;
            for (int c : counts.values()) {
                sq += (double) c * c;
            }
            sumP += (sq - ni) / ((double) ni * (ni - 1));
            nItems++;
            counts.forEach((k, c) -> totals.merge(k, c, Integer::sum));
            totalRatings += ni;
        }
        if (nItems == 0) {
            return null;
        }
        double pBar = sumP / nItems;
        double pe = 0;
        for (int c : totals.values()) {
            double p = (double) c / totalRatings;
            pe += p * p;
        }
        if (pe >= 1.0) {
            return pBar >= 1.0 ? 1.0 : null;
        }
        return (pBar - pe) / (1 - pe);
    }

    /** Share of pairs that agree, or null without pairs. */
    public static Double rate(List<String[]> pairs) {
        if (pairs.isEmpty()) {
            return null;
        }
        return pairs.stream().filter(p -> p[0].equals(p[1])).count() / (double) pairs.size();
    }
}
