package dev.rlaif.rm.cli;

import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.eval.BowBaseline;
import dev.rlaif.rm.eval.PairedComparison;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif bench reward-model}: the accuracy benchmark. Pairs are split by prompt hash into a development part
 * and a held-out part ({@code --holdout-share}); the model and the bag-of-words baseline are measured by k-fold
 * cross-validation on the development part and, trained on all of it, on the held-out pairs. With
 * {@code --ablation}, each loss switch is measured alone (cross-validated) against the plain loss.
 *
 * <p>Every figure comes with the baseline measured in the same run on the same pairs, the model's MLP heads alone
 * (its bag-of-words head removed: what the encoder adds), and a paired McNemar test of model against baseline.
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
    @Option(names = "--cache", description = "Embedding cache directory (default: ./target/rm-cache).")
    Path cache;
    @Option(names = "--wide", description = "Wide and deep heads: a linear part over all features beside the MLP.")
    boolean wide;
    @Mixin
    ModelOptions model;
    @Option(names = "--seeds", defaultValue = "1", description = "Repeat the cross-validation with this many seeds and report the mean (default ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--ablation", description = "Also measure each loss switch (5 extra CV runs).")
    boolean ablation;

    PrintStream stdout = System.out;
    /** Per development pair, its CV fold (by prompt). */
    private int[] foldOf;

    @Override
    public Integer call() throws Exception {
        Path file = data != null ? data : SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");
        List<LabeledPair> all = PairFiles.read(file, format == null ? null : DatasetFormat.parse(format));
        Path cacheDir = cache != null ? cache : Path.of("target", "rm-cache");
        Map<String, Object> json = new LinkedHashMap<>();
        try (EmbeddingCache enc = Encoders.open(model.encoder, cacheDir)) {
            FeatureExtractor fx = new FeatureExtractor(enc, model.spec(enc));
            List<PairFeatures> feats;
            long t0 = System.nanoTime();
            try (ProgressBar bar = Bars.of("encode", all.size())) {
                feats = ModelTraining.featurize(fx, all, bar::stepBy);
            }
            double encodeS = (System.nanoTime() - t0) / 1e9;
            List<Integer> dev = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                (PairFiles.heldOut(all.get(i), holdoutShare) ? held : dev).add(i);
            }
            foldOf = dev.stream().mapToInt(i -> PairFiles.fold(all.get(i), folds)).toArray();
            stdout.printf("%s: %d pairs, %d development, %d held out (split and folds by prompt); features %d dims + bag-of-words head %d buckets, encoded in %.1f s (%d cached texts)%n",
                    file, all.size(), dev.size(), held.size(), fx.spec().dimension(), fx.spec().bowBuckets(), encodeS, enc.size());
            TrainConfig base = model.config(wide);

            double[] bowCv = crossValidateBaseline(all, dev);
            double sum = 0;
            double sumMlp = 0;
            Predictions first = null;
            for (int s = 0; s < seeds; s++) {
                Predictions cv = crossValidate(base.withSeed(base.seed() + 1000L * s), feats, dev, fx.spec());
                PairwiseMetrics m = PairwiseMetrics.of(cv.model());
                PairwiseMetrics mlp = PairwiseMetrics.of(cv.mlpOnly());
                PairedComparison pc = PairedComparison.of(cv.model(), bowCv);
                stdout.printf("%d-fold CV (seed %d): model %.4f (ECE %.4f), MLP heads alone %.4f, bag-of-words baseline %.4f; "
                                + "model right where the baseline is wrong on %d pairs, the reverse on %d (McNemar p = %.4f)%n",
                        folds, base.seed() + 1000L * s, m.accuracy(), m.ece(), mlp.accuracy(), PairwiseMetrics.of(bowCv).accuracy(),
                        pc.onlyA(), pc.onlyB(), pc.pValue());
                sum += m.accuracy();
                sumMlp += mlp.accuracy();
                first = first == null ? cv : first;
            }
            PairedComparison cvPaired = PairedComparison.of(first.model(), bowCv);
            json.put("cv_ece", round(PairwiseMetrics.of(first.model()).ece()));
            json.put("cv_accuracy", round(sum / seeds));
            json.put("cv_mlp_only_accuracy", round(sumMlp / seeds));
            json.put("cv_baseline_accuracy", round(PairwiseMetrics.of(bowCv).accuracy()));
            json.put("cv_mcnemar_p", round(cvPaired.pValue()));
            if (seeds > 1) {
                stdout.printf("%d-fold CV, mean over %d seeds: model %.4f, MLP heads alone %.4f%n", folds, seeds, sum / seeds, sumMlp / seeds);
                json.put("cv_seeds", seeds);
            }

            List<PairFeatures> devF = dev.stream().map(feats::get).toList();
            List<PairFeatures> heldF = held.stream().map(feats::get).toList();
            EnsembleTrainer.Result r = new EnsembleTrainer(base).train(devF, fx.spec(), null, EnsembleTrainer.Progress.NONE);
            double[] pModel = ModelTraining.pChosen(r.weights(), heldF);
            PairwiseMetrics m = PairwiseMetrics.of(pModel);
            PairwiseMetrics mlp = PairwiseMetrics.of(ModelTraining.pChosen(r.weights().withBow(null), heldF));
            BowBaseline bow = BowBaseline.train(dev.stream().map(all::get).toList());
            double[] pBow = held.stream().mapToDouble(i -> bow.pChosen(all.get(i))).toArray();
            PairwiseMetrics b = PairwiseMetrics.of(pBow);
            PairedComparison pc = PairedComparison.of(pModel, pBow);
            stdout.printf("held-out: model %.4f (95%% CI %.4f-%.4f, ECE %.4f), MLP heads alone %.4f, baseline %.4f (95%% CI %.4f-%.4f), n=%d, train %.1f s, temperature %.2f; "
                            + "model right where the baseline is wrong on %d pairs, the reverse on %d (McNemar p = %.4f)%n",
                    m.accuracy(), m.ciLow(), m.ciHigh(), m.ece(), mlp.accuracy(), b.accuracy(), b.ciLow(), b.ciHigh(), m.n(), r.seconds(), r.temperature(),
                    pc.onlyA(), pc.onlyB(), pc.pValue());
            json.put("accuracy", round(m.accuracy()));
            json.put("accuracy_ci_low", round(m.ciLow()));
            json.put("accuracy_ci_high", round(m.ciHigh()));
            json.put("ece", round(m.ece()));
            json.put("temperature", round(r.temperature()));
            json.put("mlp_only_accuracy", round(mlp.accuracy()));
            json.put("baseline_accuracy", round(b.accuracy()));
            json.put("mcnemar_p", round(pc.pValue()));
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
                    Predictions res = crossValidate(base.withSwitches(v.getValue()), feats, dev, fx.spec());
                    double acc = PairwiseMetrics.of(res.model()).accuracy();
                    stdout.printf("loss %-9s %d-fold CV accuracy %.4f (MLP heads alone %.4f)%n", v.getKey(), folds, acc,
                            PairwiseMetrics.of(res.mlpOnly()).accuracy());
                    ab.put(v.getKey(), round(acc));
                }
                json.put("ablation_cv_accuracy", ab);
            }
        }
        stdout.println(Json.write(json));
        return 0;
    }

    /** Per development pair (in dev order), the CV probability that its winner wins: whole model and MLP heads alone. */
    private record Predictions(double[] model, double[] mlpOnly) {
    }

    /** Folds by prompt hash over the development part ({@link PairFiles#fold}). */
    private Predictions crossValidate(TrainConfig cfg, List<PairFeatures> feats, List<Integer> dev, FeatureSpec spec) {
        double[] model = new double[dev.size()];
        double[] mlpOnly = new double[dev.size()];
        for (int k = 0; k < folds; k++) {
            List<PairFeatures> tr = new ArrayList<>();
            List<Integer> te = new ArrayList<>();
            for (int j = 0; j < dev.size(); j++) {
                if (foldOf[j] == k) {
                    te.add(j);
                } else {
                    tr.add(feats.get(dev.get(j)));
                }
            }
            List<PairFeatures> teF = te.stream().map(j -> feats.get(dev.get(j))).toList();
            EnsembleTrainer.Result r = new EnsembleTrainer(cfg.withSeed(cfg.seed() + k)).train(tr, spec, null, EnsembleTrainer.Progress.NONE);
            double[] p = ModelTraining.pChosen(r.weights(), teF);
            double[] q = ModelTraining.pChosen(r.weights().withBow(null), teF);
            for (int t = 0; t < te.size(); t++) {
                model[te.get(t)] = p[t];
                mlpOnly[te.get(t)] = q[t];
            }
        }
        return new Predictions(model, mlpOnly);
    }

    private double[] crossValidateBaseline(List<LabeledPair> all, List<Integer> dev) {
        double[] p = new double[dev.size()];
        for (int k = 0; k < folds; k++) {
            List<LabeledPair> tr = new ArrayList<>();
            for (int j = 0; j < dev.size(); j++) {
                if (foldOf[j] != k) {
                    tr.add(all.get(dev.get(j)));
                }
            }
            BowBaseline bow = BowBaseline.train(tr);
            for (int j = 0; j < dev.size(); j++) {
                if (foldOf[j] == k) {
                    p[j] = bow.pChosen(all.get(dev.get(j)));
                }
            }
        }
        return p;
    }

    private static double round(double x) {
        return Math.round(x * 10000) / 10000.0;
    }
}
