package dev.rlaif.rm.train;

/**
 * One training pair as feature vectors.
 *
 * @param id       pair id (for deterministic splits)
 * @param chosen   features of the preferred response
 * @param rejected features of the other response
 * @param weight   source weight (used when source weighting is on)
 */
public record PairFeatures(String id, float[] chosen, float[] rejected, float weight) {
}
