package dev.rlaif.rm.train;

import dev.rlaif.rm.EnsembleMath;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.eval.PairwiseMetrics;
import dev.rlaif.rm.feature.FeatureExtractor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * From labeled pairs to a model version and back: featurise (batched through the encoder and its cache), train
 * the ensemble, build the manifest, and evaluate a set of weights on pairs. The offline commands and the trainer
 * service share it.
 */
public final class ModelTraining {

    private static final int BATCH = 128;

    private ModelTraining() {
    }

    /** Feature vectors of the pairs; {@code progress} receives the number of pairs done after each batch. */
    public static List<PairFeatures> featurize(FeatureExtractor fx, List<LabeledPair> pairs, IntConsumer progress) {
        List<PairFeatures> out = new ArrayList<>(pairs.size());
        for (int start = 0; start < pairs.size(); start += BATCH) {
            List<LabeledPair> batch = pairs.subList(start, Math.min(pairs.size(), start + BATCH));
            List<ScoringInput> inputs = new ArrayList<>(2 * batch.size());
            for (LabeledPair p : batch) {
                inputs.add(p.chosenInput());
                inputs.add(p.rejectedInput());
            }
            List<float[]> xs = fx.features(inputs);
            for (int i = 0; i < batch.size(); i++) {
                LabeledPair p = batch.get(i);
                out.add(new PairFeatures(p.id(), xs.get(2 * i), xs.get(2 * i + 1), p.weight(),
                        fx.bowTerms(inputs.get(2 * i)), fx.bowTerms(inputs.get(2 * i + 1))));
            }
            progress.accept(batch.size());
        }
        return out;
    }

    /** Probability, per pair, that its labeled winner wins under the ensemble (mean of head sigmoids). */
    public static double[] pChosen(EnsembleWeights w, List<PairFeatures> pairs) {
        double[] p = new double[pairs.size()];
        for (int i = 0; i < p.length; i++) {
            PairFeatures f = pairs.get(i);
            p[i] = EnsembleMath.probabilityAPreferred(w.rewards(f.chosen(), f.chosenTerms()), w.rewards(f.rejected(), f.rejectedTerms()));
        }
        return p;
    }

    public static PairwiseMetrics evaluate(EnsembleWeights w, List<PairFeatures> pairs) {
        return PairwiseMetrics.of(pChosen(w, pairs));
    }

    public static ModelManifest manifest(String version, String parent, FeatureExtractor fx, TrainConfig cfg,
                                         Map<String, Double> metrics, Map<String, Long> offsets, long nTrain,
                                         String trainingData, double holdoutShare) {
        return manifest(version, parent, fx, cfg, null, metrics, offsets, nTrain, trainingData, holdoutShare);
    }

    /** With what the training did recorded too: pairs flipped and smoothed, the bag-of-words head's setting. */
    public static ModelManifest manifest(String version, String parent, FeatureExtractor fx, TrainConfig cfg,
                                         EnsembleTrainer.Result result, Map<String, Double> metrics,
                                         Map<String, Long> offsets, long nTrain, String trainingData, double holdoutShare) {
        Map<String, Object> training = new java.util.LinkedHashMap<>(cfg.describe());
        if (result != null) {
            training.put("flipped", result.flipped());
            training.put("smoothed", result.smoothed());
            training.put("temperature", result.temperature());
            if (result.bowTuning() != null) {
                training.put("bow_head", result.bowTuning());
            }
        }
        return new ModelManifest(version, parent, Instant.now().toString(), fx.spec(), cfg.heads(), cfg.hidden(), metrics,
                offsets, nTrain, trainingData, holdoutShare, training);
    }
}
