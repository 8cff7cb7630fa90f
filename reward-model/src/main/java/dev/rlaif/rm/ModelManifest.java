package dev.rlaif.rm;

import dev.rlaif.rm.feature.FeatureSpec;

import java.util.Map;

/**
 * {@code manifest.json} of a model version directory: what it is, where it came from, how good it is.
 *
 * @param version      version id ({@code v000001}, increasing)
 * @param parent       the version it replaced when published (null for the first)
 * @param createdAt    ISO-8601 instant
 * @param features     how feature vectors are built
 * @param heads        ensemble size
 * @param hidden       hidden units per head
 * @param metrics      evaluation metrics (accuracy, accuracy_ci_low, accuracy_ci_high, ece, n_eval, ...)
 * @param dataOffsets  preferences-topic offsets consumed ("partition" -> next offset); empty for offline training
 * @param nTrain       number of training pairs
 * @param trainingData what it was trained on (a file path and format, or the topic)
 * @param holdoutShare share of pairs (by hash of pair id) kept out of training
 * @param training     training settings (loss switches, epochs, ...), for the record
 */
public record ModelManifest(String version, String parent, String createdAt, FeatureSpec features, int heads, int hidden,
                            Map<String, Double> metrics, Map<String, Long> dataOffsets, long nTrain,
                            String trainingData, double holdoutShare, Map<String, Object> training) {

    public static final String FILE = "manifest.json";

    public ModelManifest {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        dataOffsets = dataOffsets == null ? Map.of() : Map.copyOf(dataOffsets);
        training = training == null ? Map.of() : Map.copyOf(training);
    }

    /** With one more entry in {@link #training()}. */
    public ModelManifest withTraining(String key, Object value) {
        Map<String, Object> t = new java.util.LinkedHashMap<>(training);
        t.put(key, value);
        return new ModelManifest(version, parent, createdAt, features, heads, hidden, metrics, dataOffsets, nTrain,
                trainingData, holdoutShare, t);
    }

    public ModelManifest withVersion(String newVersion, String newParent) {
        return new ModelManifest(newVersion, newParent, createdAt, features, heads, hidden, metrics, dataOffsets, nTrain,
                trainingData, holdoutShare, training);
    }
}
