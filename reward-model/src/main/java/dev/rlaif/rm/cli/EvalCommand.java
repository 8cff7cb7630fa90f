package dev.rlaif.rm.cli;

import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.MlpRewardModel;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.eval.BowBaseline;
import dev.rlaif.rm.eval.PairedComparison;
import dev.rlaif.rm.eval.PairwiseMetrics;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.train.ModelTraining;
import dev.rlaif.rm.train.PairFeatures;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif eval --model DIR --data FILE}: pairwise accuracy (95% Wilson interval), calibration error and, in
 * the same run, the bag-of-words logistic baseline trained on the model's own training data (its manifest names
 * the file and held-out share). When FILE is the training file, only its held-out pairs are evaluated.
 *
 * <p>Several files ({@code --data A B} or {@code --data A --data B}) are measured one by one with the same model
 * and baseline: a line per dataset, then a summary table; the last line's JSON then has {@code datasets}, one
 * object per file (the one-file JSON is unchanged).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a reward model against a pairwise dataset file.")
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model directory (from train, or a version in the models directory).")
    Path model;
    @Option(names = "--data", required = true, arity = "1..*", description = "Dataset file(s): several measure the model on each "
            + "(e.g. in-domain and out-of-domain), one accuracy per dataset.")
    List<Path> data;
    @Option(names = "--format", description = "hh-rlhf, pairwise or pandalm (detected when omitted).")
    String format;
    @Option(names = "--cache", description = "Embedding cache directory (default: cache/ beside --model).")
    Path cache;

    PrintStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
        Path dir = model.toAbsolutePath();
        ModelManifest manifest = ModelStore.readManifest(dir);
        DatasetFormat fmt = format == null ? null : DatasetFormat.parse(format);
        Path cacheDir = cache != null ? cache : dir.getParent().resolve("cache");
        String encoderName = dev.rlaif.rm.encode.TextEncoders.nameOfId(manifest.features().encoderId());
        BowBaseline bow = null;
        String baselineNote = null;
        if (manifest.trainingData() != null && java.nio.file.Files.isRegularFile(Path.of(manifest.trainingData()))) {
            List<LabeledPair> baselineTrain = PairFiles.read(Path.of(manifest.trainingData()), null).stream()
                    .filter(p -> !heldOut(manifest, p)).toList();
            bow = BowBaseline.train(baselineTrain);
            baselineNote = String.format("trained on %d pairs of %s", baselineTrain.size(), manifest.trainingData());
        }
        List<Map<String, Object>> results = new java.util.ArrayList<>();
        try (EmbeddingCache enc = Encoders.open(encoderName, cacheDir)) {
            MlpRewardModel rm = ModelStore.loadDir(dir, enc);
            for (Path file : data) {
                results.add(evaluate(file, fmt, manifest, rm, bow, baselineNote));
            }
        }
        if (results.size() == 1) {
            stdout.println(Json.write(results.get(0)));
            return 0;
        }
        stdout.printf("%-50s %6s %9s %15s %9s %9s%n", "dataset", "n", "accuracy", "95% CI", "baseline", "McNemar p");
        for (Map<String, Object> r : results) {
            stdout.printf("%-50s %6s %9s %15s %9s %9s%n", r.get("data"), r.get("n"), r.get("accuracy"),
                    r.get("accuracy_ci_low") + "-" + r.get("accuracy_ci_high"), r.get("baseline_accuracy"), r.get("mcnemar_p"));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_version", results.get(0).get("model_version"));
        json.put("datasets", results);
        stdout.println(Json.write(json));
        return 0;
    }

    private Map<String, Object> evaluate(Path file, DatasetFormat fmt, ModelManifest manifest, MlpRewardModel rm, BowBaseline bow,
                                         String baselineNote) {
        List<LabeledPair> pairs = PairFiles.read(file, fmt);
        boolean sameFile = manifest.trainingData() != null
                && Path.of(manifest.trainingData()).toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize());
        if (sameFile) {
            pairs = pairs.stream().filter(p -> heldOut(manifest, p)).toList();
            stdout.printf("%s is the model's training file: evaluating its %d held-out pairs%n", file, pairs.size());
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no labeled pairs to evaluate in " + file);
        }
        FeatureExtractor fx = rm.featureExtractor();
        List<PairFeatures> feats;
        try (ProgressBar bar = Bars.of("encode", pairs.size())) {
            feats = ModelTraining.featurize(fx, pairs, bar::stepBy);
        }
        double[] pModel = ModelTraining.pChosen(rm.weights(), feats);
        PairwiseMetrics m = PairwiseMetrics.of(pModel);
        stdout.printf("%s: model %s: accuracy %.4f (95%% CI %.4f-%.4f), ECE %.4f, log loss %.4f, n=%d%n", file, rm.version(),
                m.accuracy(), m.ciLow(), m.ciHigh(), m.ece(), m.logLoss(), m.n());
        PairwiseMetrics b = PairwiseMetrics.of(new double[0]);
        PairedComparison paired = null;
        if (bow != null) {
            double[] pBow = pairs.stream().mapToDouble(bow::pChosen).toArray();
            b = PairwiseMetrics.of(pBow);
            paired = PairedComparison.of(pModel, pBow);
            stdout.printf("%s: bag-of-words baseline (%s): accuracy %.4f (95%% CI %.4f-%.4f), ECE %.4f%n",
                    file, baselineNote, b.accuracy(), b.ciLow(), b.ciHigh(), b.ece());
            stdout.printf("%s: paired: the model is right where the baseline is wrong on %d pairs, the reverse on %d (McNemar p = %.4f)%n",
                    file, paired.onlyA(), paired.onlyB(), paired.pValue());
        } else {
            stdout.printf("no baseline: the model was trained on %s, not a file%n", manifest.trainingData());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("accuracy", round(m.accuracy()));
        json.put("baseline_accuracy", b.n() == 0 ? null : round(b.accuracy()));
        json.put("n", m.n());
        json.put("accuracy_ci_low", round(m.ciLow()));
        json.put("accuracy_ci_high", round(m.ciHigh()));
        json.put("ece", round(m.ece()));
        json.put("baseline_ece", b.n() == 0 ? null : round(b.ece()));
        json.put("mcnemar_p", paired == null ? null : round(paired.pValue()));
        json.put("model_version", rm.version());
        json.put("held_out_only", sameFile);
        if (data.size() > 1) {
            json.put("data", file.toString());
        }
        return json;
    }

    /** The model's own split: by prompt, or by pair id for versions written before prompt grouping. */
    static boolean heldOut(ModelManifest manifest, LabeledPair p) {
        return PairFiles.SPLIT_BY_PROMPT.equals(manifest.training().get("holdout_split"))
                ? PairFiles.heldOut(p, manifest.holdoutShare())
                : PairFiles.heldOutByPairId(p.id(), manifest.holdoutShare());
    }

    static double round(double x) {
        return Math.round(x * 10000) / 10000.0;
    }
}
