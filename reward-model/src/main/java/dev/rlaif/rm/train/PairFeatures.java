package dev.rlaif.rm.train;

import dev.rlaif.rm.feature.FeatureExtractor;

/**
 * One training pair as feature vectors.
 *
 * @param id            pair id (for deterministic splits)
 * @param chosen        features of the preferred response
 * @param rejected      features of the other response
 * @param weight        source weight (used when source weighting is on)
 * @param chosenTerms   bag-of-words head buckets of the preferred response (empty without a head)
 * @param rejectedTerms bag-of-words head buckets of the other response
 */
public record PairFeatures(String id, float[] chosen, float[] rejected, float weight, int[] chosenTerms, int[] rejectedTerms) {

    /** Without bag-of-words terms. */
    public PairFeatures(String id, float[] chosen, float[] rejected, float weight) {
        this(id, chosen, rejected, weight, FeatureExtractor.NO_TERMS, FeatureExtractor.NO_TERMS);
    }
}
