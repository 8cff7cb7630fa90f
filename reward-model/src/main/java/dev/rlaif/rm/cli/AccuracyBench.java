package dev.rlaif.rm.cli;

import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.eval.BowBaseline;
import dev.rlaif.rm.eval.PairwiseMetrics;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.rm.train.EnsembleTrainer;
import dev.rlaif.rm.train.LossSwitches;
import dev.rlaif.rm.train.ModelTraining;
import dev.rlaif.rm.train.PairFeatures;
import dev.rlaif.rm.train.TrainConfig;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif bench reward-model}: the accuracy benchmark. Pairs are split by id hash into a development part
 * and a held-out part ({@code --holdout-share}); the model and the bag-of-words baseline are measured by k-fold
 * cross-validation on the development part and, trained on all of it, on the held-out pairs. With
 * {@code --ablation}, each loss switch is measured alone (cross-validated) against the plain loss.
 */
@Command(name = "reward-model", mixinStandardHelpOptions = true, description = "Reward-model accuracy: k-fold CV, held-out, baseline, loss switches.")
public final class AccuracyBench implements Callable<Integer> {

    @Option(names = "--data", description = "Dataset file (default: shared hh-rlhf-harmless/pairs.jsonl.gz).")
    Path data;
    @Option(names = "--format")
    String format;
    @Option(names = "--folds", defaultValue = "5")
    int folds;
    @Option(names = "--holdout-share", defaultValue = "0.2")
    double holdoutShare;
    @Option(names = "--epochs", defaultValue = "6")
    int epochs;
    @Option(names = "--heads", defaultValue = "5")
    int heads;
    @Option(names = "--hidden", defaultValue = "32")
    int hidden;
    @Option(names = "--lexical-buckets", defaultValue = "2048")
    int lexicalBuckets;
    @Option(names = "--joint", description = "Also encode last user turn + response as one text.")
    boolean joint;
    @Option(names = "--weight-decay", defaultValue = "0.1")
    float weightDecay;
    @Option(names = "--dropout", defaultValue = "0.5")
    float dropout;
    @Option(names = "--lr", defaultValue = "0.001")
    float lr;
    @Option(names = "--encoder", defaultValue = "minilm")
    String encoder;
    @Option(names = "--cache", description = "Embedding cache directory (default: ./target/rm-cache).")
    Path cache;
    @Option(names = "--wide", description = "Wide and deep heads: a linear part over all features beside the MLP.")
    boolean wide;
    @Option(names = "--ablation", description = "Also measure each loss switch (5 extra CV runs).")
    boolean ablation;
    @Option(names = "--margin", defaultValue = "0")
    double margin;
    @Option(names = "--smoothing", defaultValue = "0")
    double smoothing;
    @Option(names = "--flip", defaultValue = "0")
    double flip;

    PrintStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
        Path file = data != null ? data : SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");
        List<LabeledPair> all = PairFiles.read(file, format == null ? null : DatasetFormat.parse(format));
        Path cacheDir = cache != null ? cache : Path.of("target", "rm-cache");
        Map<String, Object> json = new LinkedHashMap<>();
        try (EmbeddingCache enc = Encoders.open(encoder, cacheDir)) {
            FeatureExtractor fx = new FeatureExtractor(enc, new FeatureSpec(enc.id(), enc.dimension(), lexicalBuckets, true, joint));
            List<PairFeatures> feats;
            long t0 = System.nanoTime();
            try (ProgressBar bar = Bars.of("encode", all.size())) {
                feats = ModelTraining.featurize(fx, all, bar::stepBy);
            }
            double encodeS = (System.nanoTime() - t0) / 1e9;
            List<Integer> dev = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                (PairFiles.heldOut(all.get(i).id(), holdoutShare) ? held : dev).add(i);
            }
            stdout.printf("%s: %d pairs, %d development, %d held out; features %d dims, encoded in %.1f s (%d cached texts)%n",
                    file, all.size(), dev.size(), held.size(), fx.spec().dimension(), encodeS, enc.size());
            TrainConfig base = new TrainConfig(heads, hidden, epochs, 64, lr, weightDecay, dropout, true, 42,
                    new LossSwitches(margin, smoothing, 0.3, flip, false), wide);

            double[] cv = crossValidate(base, all, feats, dev, fx, true);
            stdout.printf("%d-fold CV: model %.4f, bag-of-words baseline %.4f%n", folds, cv[0], cv[1]);
            json.put("cv_accuracy", round(cv[0]));
            json.put("cv_baseline_accuracy", round(cv[1]));

            List<PairFeatures> devF = dev.stream().map(feats::get).toList();
            List<PairFeatures> heldF = held.stream().map(feats::get).toList();
            EnsembleTrainer.Result r = new EnsembleTrainer(base).train(devF, fx.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE);
            PairwiseMetrics m = ModelTraining.evaluate(r.weights(), heldF);
            BowBaseline bow = BowBaseline.train(dev.stream().map(all::get).toList());
            PairwiseMetrics b = PairwiseMetrics.of(held.stream().mapToDouble(i -> bow.pChosen(all.get(i))).toArray());
            stdout.printf("held-out: model %.4f (95%% CI %.4f-%.4f, ECE %.4f), baseline %.4f (95%% CI %.4f-%.4f), n=%d, train %.1f s%n",
                    m.accuracy(), m.ciLow(), m.ciHigh(), m.ece(), b.accuracy(), b.ciLow(), b.ciHigh(), m.n(), r.seconds());
            json.put("accuracy", round(m.accuracy()));
            json.put("accuracy_ci_low", round(m.ciLow()));
            json.put("accuracy_ci_high", round(m.ciHigh()));
            json.put("ece", round(m.ece()));
            json.put("baseline_accuracy", round(b.accuracy()));
            json.put("n", m.n());

            if (ablation) {
                Map<String, LossSwitches> variants = new LinkedHashMap<>();
                LossSwitches plain = LossSwitches.PLAIN;
                variants.put("plain", plain);
                variants.put("margin", plain.withMargin(0.5));
                variants.put("smoothing", plain.withSmoothing(0.1));
                variants.put("flip", plain.withFlip(0.1));
                variants.put("all", plain.withMargin(0.5).withSmoothing(0.1).withFlip(0.1));
                Map<String, Double> ab = new LinkedHashMap<>();
                for (var v : variants.entrySet()) {
                    double[] res = crossValidate(base.withSwitches(v.getValue()), all, feats, dev, fx, false);
                    stdout.printf("loss %-9s %d-fold CV accuracy %.4f%n", v.getKey(), folds, res[0]);
                    ab.put(v.getKey(), round(res[0]));
                }
                json.put("ablation_cv_accuracy", ab);
            }
        }
        stdout.println(Json.write(json));
        return 0;
    }

    /** {model accuracy, baseline accuracy} pooled over folds (folds by index modulo k over the dev part). */
    private double[] crossValidate(TrainConfig cfg, List<LabeledPair> all, List<PairFeatures> feats, List<Integer> dev,
                                   FeatureExtractor fx, boolean withBaseline) {
        double correct = 0;
        double baseCorrect = 0;
        int n = 0;
        for (int k = 0; k < folds; k++) {
            List<PairFeatures> tr = new ArrayList<>();
            List<PairFeatures> te = new ArrayList<>();
            List<LabeledPair> trPairs = new ArrayList<>();
            List<LabeledPair> tePairs = new ArrayList<>();
            for (int j = 0; j < dev.size(); j++) {
                int i = dev.get(j);
                if (j % folds == k) {
                    te.add(feats.get(i));
                    tePairs.add(all.get(i));
                } else {
                    tr.add(feats.get(i));
                    trPairs.add(all.get(i));
                }
            }
            EnsembleTrainer.Result r = new EnsembleTrainer(cfg.withSeed(cfg.seed() + k)).train(tr, fx.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE);
            PairwiseMetrics m = ModelTraining.evaluate(r.weights(), te);
            correct += m.accuracy() * m.n();
            n += m.n();
            if (withBaseline) {
                BowBaseline bow = BowBaseline.train(trPairs);
                baseCorrect += PairwiseMetrics.of(tePairs.stream().mapToDouble(bow::pChosen).toArray()).accuracy() * m.n();
            }
        }
        return new double[] {correct / n, withBaseline ? baseCorrect / n : Double.NaN};
    }

    private static double round(double x) {
        return Math.round(x * 10000) / 10000.0;
    }
}
