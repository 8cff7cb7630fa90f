package dev.rlaif.rm;

import dev.rlaif.rm.feature.FeatureExtractor;

import java.util.List;

/** A loaded version: features from the shared encoder, then the ensemble's heads. Immutable and thread-safe. */
public final class MlpRewardModel implements RewardModel {

    private final ModelManifest manifest;
    private final EnsembleWeights weights;
    private final FeatureExtractor features;

    public MlpRewardModel(ModelManifest manifest, EnsembleWeights weights, FeatureExtractor features) {
        if (weights.inputDim() != manifest.features().dimension()) {
            throw new IllegalArgumentException("weights expect " + weights.inputDim() + " features, manifest describes "
                    + manifest.features().dimension());
        }
        int bowBuckets = weights.bow() == null ? 0 : weights.bow().buckets();
        if (bowBuckets != manifest.features().bowBuckets()) {
            throw new IllegalArgumentException("weights have a bag-of-words head of " + bowBuckets
                    + " buckets, manifest describes " + manifest.features().bowBuckets());
        }
        this.manifest = manifest;
        this.weights = weights;
        this.features = features;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public EnsembleWeights weights() {
        return weights;
    }

    public FeatureExtractor featureExtractor() {
        return features;
    }

    @Override
    public String version() {
        return manifest.version();
    }

    @Override
    public int heads() {
        return weights.heads();
    }

    @Override
    public float[][] score(List<ScoringInput> inputs) {
        List<float[]> xs = features.features(inputs);
        float[][] out = new float[xs.size()][];
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, xs.size());
        (xs.size() >= 32 ? range.parallel() : range).forEach(i -> out[i] = weights.rewards(xs.get(i), features.bowTerms(inputs.get(i))));
        return out;
    }

    /** Nothing to release: parameters are plain arrays, so a version replaced by a hot reload stays usable. */
    @Override
    public void close() {
    }
}
