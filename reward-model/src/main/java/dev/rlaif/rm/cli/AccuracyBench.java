package dev.rlaif.rm.cli;

import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.pair.PairIds;
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
    @Option(names = "--split", defaultValue = "prompt", description = "Partition into held-out part and folds: prompt (hash of the prompt) or pair-id (hash of the pair id) (default ${DEFAULT-VALUE}).")
    String split;
    @Option(names = "--compare-encoder", description = "Also measure the model with this encoder (repeatable; e.g. bge-small, e5-small+minilm), same folds and seeds, paired against the default.")
    List<String> compareEncoders = new ArrayList<>();
    @Option(names = "--compare-contrastive", description = "Also measure the model with the contrastive loss of this weight (repeatable).")
    List<Double> compareContrastive = new ArrayList<>();
    @Option(names = "--compare-metarm", description = "Also measure MetaRM with this inner step size (repeatable); its shifted samples are the responses of the pairs it is measured on, unlabeled.")
    List<Double> compareMetaRm = new ArrayList<>();
    @Option(names = "--compare-fusion", description = "Also measure late fusion of encoders, e.g. e5-small,bge-small: one model per encoder, "
            + "trained alike on the same folds, their preference probabilities averaged (repeatable; CV only).")
    List<String> compareFusion = new ArrayList<>();
    @Option(names = "--compare-fusion-mlp", description = "As --compare-fusion, the encoders' MLP heads alone (their bag-of-words heads left out) (repeatable; CV only).")
    List<String> compareFusionMlp = new ArrayList<>();
    @Option(names = "--compare-fused", description = "Also measure the late-fusion model train writes (--fusion) over a concatenated encoder: "
            + "ENC[/CONTEXT][:HEADS], e.g. e5-small+bge-small (heads: --heads per encoder), e5-small+bge-small/user-turns:16 (repeatable).")
    List<String> compareFused = new ArrayList<>();
    @Option(names = "--pair-against", description = "Also pair every later variant (whole model and MLP heads alone) against this variant's "
            + "whole model, by its label, e.g. \"encoder e5-small+bge-small\" (McNemar, same folds and seed).")
    String pairAgainst;
    @Option(names = "--compare-relation", description = "Also measure the model with the other setting of --relation (the prompt-response cosine feature).")
    boolean compareRelation;
    @Option(names = "--compare-tuned", description = "Also measure the model with its head's setting chosen by nested CV: in every outer "
            + "fold, each setting of --tune-grid is scored by 3-fold CV inside the fold's training pairs and the best is trained (CV only).")
    boolean compareTuned;
    @Option(names = "--tune-grid", defaultValue = "hidden=32,64;epochs=6,12",
            description = "Settings --compare-tuned chooses among: keys hidden, epochs, heads, lr, weight-decay, dropout, and bow (on,off: with or "
                    + "without the bag-of-words head; free, the head trains apart), each with its values (default ${DEFAULT-VALUE}).")
    String tuneGrid;
    @Option(names = "--ood-data", description = "Out-of-domain file: every variant is also trained on all pairs of --data and measured on this file's pairs (repeatable).")
    List<Path> oodData = new ArrayList<>();
    @Option(names = "--skip-held-out", description = "Skip the held-out measurements (CV and out-of-domain only).")
    boolean skipHeldOut;

    PrintStream stdout = System.out;
    /** Per development pair, its CV fold (by prompt). */
    private int[] foldOf;
    /** Per development pair, its inner fold (nested CV), independent of {@link #foldOf}. */
    private int[] innerFoldOf;
    static final int INNER_FOLDS = 3;

    /** One model measured: the default, or the default with another encoder or training switch. */
    private record Variant(String label, String encoder, TrainConfig config, List<String> fuse, boolean tuned, boolean relation,
                           String context) {
        Variant(String label, String encoder, TrainConfig config, List<String> fuse, boolean tuned, boolean relation) {
            this(label, encoder, config, fuse, tuned, relation, null);
        }

        /** Key of its features: the encoder, whether the relation feature is in the vector, and the prompt context. */
        String features() {
            return features(encoder, relation, context);
        }

        static String features(String encoder, boolean relation) {
            return features(encoder, relation, null);
        }

        static String features(String encoder, boolean relation, String context) {
            return (relation ? encoder + " (relation)" : encoder) + (context == null ? "" : " [" + context + "]");
        }

        /** CV only: late fusion and nested tuning have no held-out or out-of-domain figures. */
        boolean cvOnly() {
            return !fuse.isEmpty() || tuned;
        }
    }

    /** An encoder's features of all pairs (and of the out-of-domain files), with its extractor. */
    private record Encoded(FeatureExtractor fx, List<PairFeatures> feats, List<List<PairFeatures>> ood) {
    }

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        if (!split.equals("prompt") && !split.equals("pair-id")) {
            throw new IllegalArgumentException("--split must be prompt or pair-id");
        }
        Path file = data != null ? data : SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");
        List<LabeledPair> all = PairFiles.read(file, format == null ? null : DatasetFormat.parse(format));
        List<List<LabeledPair>> oodPairs = new ArrayList<>();
        for (Path f : oodData) {
            oodPairs.add(PairFiles.read(f, null));
        }
        Path cacheDir = cache != null ? cache : Path.of("target", "rm-cache");
        Map<String, Object> json = new LinkedHashMap<>();
        TrainConfig base = model.config(wide);
        List<Variant> variants = new ArrayList<>();
        boolean rel = model.relation;
        variants.add(new Variant("default", model.encoder, base, List.of(), false, rel));
        for (String e : compareEncoders) {
            variants.add(new Variant("encoder " + e, e, base, List.of(), false, rel));
        }
        for (double c : compareContrastive) {
            variants.add(new Variant("contrastive " + c, model.encoder, base.withContrastive(c), List.of(), false, rel));
        }
        for (double m : compareMetaRm) {
            variants.add(new Variant("metarm " + m, model.encoder, base.withMetaRm(m), List.of(), false, rel));
        }
        for (String f : compareFusion) {
            variants.add(fusion("fusion ", f, base));
        }
        for (String f : compareFusionMlp) {
            variants.add(fusion("fusion-mlp ", f, base));
        }
        for (String f : compareFused) {
            variants.add(fused(f, base));
        }
        List<TrainConfig> grid = compareTuned ? grid(base, withoutBowAxis(tuneGrid)) : List.of();
        List<Boolean> bowChoices = compareTuned ? bowAxis(tuneGrid) : List.of(true);
        if (compareTuned) {
            variants.add(new Variant("tuned", model.encoder, base, List.of(), true, model.relation));
        }
        if (compareRelation) {
            variants.add(new Variant(model.relation ? "without relation" : "relation", model.encoder, base, List.of(), false, !model.relation));
        }
        Map<String, Variant> toEncode = new LinkedHashMap<>();
        for (Variant v : variants) {
            for (String e : v.fuse().isEmpty() ? List.of(v.encoder()) : v.fuse()) {
                toEncode.putIfAbsent(Variant.features(e, v.relation(), v.context()), new Variant(e, e, base, List.of(), false, v.relation(), v.context()));
            }
        }
        Map<String, EmbeddingCache> caches = new LinkedHashMap<>();
        try {
            Map<String, Encoded> encoded = new LinkedHashMap<>();
            for (Variant v : toEncode.values()) {
                if (!encoded.containsKey(v.features())) {
                    EmbeddingCache enc = caches.get(v.encoder());
                    if (enc == null) {
                        enc = Encoders.open(v.encoder(), cacheDir);
                        caches.put(v.encoder(), enc);
                    }
                    FeatureSpec sp = model.spec(enc);
                    FeatureExtractor fx = new FeatureExtractor(enc, new FeatureSpec(sp.encoderId(), sp.embeddingDim(), sp.lexicalBuckets(),
                            sp.critique(), sp.joint(), sp.bowBuckets(), v.relation(), v.context() == null ? sp.promptContext() : v.context()));
                    long t0 = System.nanoTime();
                    List<PairFeatures> feats;
                    try (ProgressBar bar = Bars.of("encode " + v.encoder(), all.size())) {
                        feats = ModelTraining.featurize(fx, all, bar::stepBy);
                    }
                    List<List<PairFeatures>> ood = new ArrayList<>();
                    for (List<LabeledPair> o : oodPairs) {
                        ood.add(ModelTraining.featurize(fx, o, k -> { }));
                    }
                    stdout.printf("encoder %s (%s), prompt context %s: features %d dims + bag-of-words head %d buckets, encoded in %.1f s (%d cached texts)%n",
                            v.encoder(), enc.id(), fx.spec().promptContext(), fx.spec().dimension(), fx.spec().bowBuckets(), (System.nanoTime() - t0) / 1e9, enc.size());
                    encoded.put(v.features(), new Encoded(fx, feats, ood));
                }
            }
            List<Integer> dev = new ArrayList<>();
            List<Integer> held = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                LabeledPair p = all.get(i);
                boolean out = split.equals("prompt") ? PairFiles.heldOut(p, holdoutShare) : PairFiles.heldOutByPairId(p.id(), holdoutShare);
                (out ? held : dev).add(i);
            }
            foldOf = dev.stream().mapToInt(i -> split.equals("prompt") ? PairFiles.fold(all.get(i), folds)
                    : (int) Math.min(folds - 1, Math.floor(PairIds.unitHash("fold:" + all.get(i).id()) * folds))).toArray();
            innerFoldOf = dev.stream().mapToInt(i -> split.equals("prompt") ? PairFiles.innerFold(all.get(i), INNER_FOLDS)
                    : PairFiles.innerFoldByPairId(all.get(i).id(), INNER_FOLDS)).toArray();
            stdout.printf("%s: %d pairs, %d development, %d held out (split and folds by %s)%n", file, all.size(), dev.size(), held.size(), split);
            json.put("split", split);

            double[] bowCv = crossValidateBaseline(all, dev);
            stdout.printf("%d-fold CV: bag-of-words baseline %.4f%n", folds, PairwiseMetrics.of(bowCv).accuracy());
            json.put("cv_baseline_accuracy", round(PairwiseMetrics.of(bowCv).accuracy()));
            double[][] defaultBySeed = new double[seeds][];
            Map<String, Object> byVariant = new LinkedHashMap<>();
            // out of domain first (one training per variant), then the CV seed by seed over all variants, so a run cut
            // short still has every variant at the seeds it finished
            Map<String, double[]> sums = new LinkedHashMap<>();
            for (Variant v : variants) {
                Map<String, Object> vj = new LinkedHashMap<>();
                byVariant.put(v.label(), vj);
                sums.put(v.label(), new double[2]);
                Encoded e = encoded.get(v.features());
                for (int o = 0; o < oodData.size() && !v.cvOnly(); o++) {
                    outOfDomain(v, e, all, oodPairs.get(o), e.ood().get(o), oodData.get(o), vj);
                }
            }
            for (int s = 0; s < seeds; s++) {
                // plain CV predictions per encoder at this seed, shared by the variants that need them (late fusion)
                Map<String, Predictions> plain = new LinkedHashMap<>();
                double[] reference = null;
                for (Variant v : variants) {
                    Encoded e = encoded.get(v.features());
                    Map<String, Object> vj = (Map<String, Object>) byVariant.get(v.label());
                    TrainConfig cfg = v.config().withSeed(base.seed() + 1000L * s);
                    Predictions cv;
                    if (!v.fuse().isEmpty()) {
                        List<Predictions> parts = new ArrayList<>();
                        for (String part : v.fuse()) {
                            Encoded pe = encoded.get(Variant.features(part, v.relation()));
                            parts.add(plain.computeIfAbsent(Variant.features(part, v.relation()), k -> crossValidate(cfg, pe.feats(), dev, pe.fx())));
                        }
                        cv = Predictions.mean(parts);
                        if (v.label().startsWith("fusion-mlp ")) {
                            cv = new Predictions(cv.mlpOnly(), cv.mlpOnly());
                        }
                    } else if (v.tuned()) {
                        cv = crossValidateTuned(cfg, grid, bowChoices, e.feats(), dev, e.fx(), vj);
                    } else {
                        cv = crossValidate(cfg, e.feats(), dev, e.fx());
                        if (v.config().equals(base)) {
                            plain.putIfAbsent(v.features(), cv);
                        }
                    }
                    PairwiseMetrics m = PairwiseMetrics.of(cv.model());
                    PairwiseMetrics mlp = PairwiseMetrics.of(cv.mlpOnly());
                    PairedComparison pc = PairedComparison.of(cv.model(), bowCv);
                    String vsDefault = "";
                    PairedComparison mlpBow = PairedComparison.of(cv.mlpOnly(), bowCv);
                    String mlpVs = String.format("MLP heads alone (= --bow-buckets 0) against the baseline p = %.4f", mlpBow.pValue());
                    ((List<Double>) vj.computeIfAbsent("cv_mlp_only_accuracy_by_seed", k -> new ArrayList<Double>())).add(round(mlp.accuracy()));
                    ((List<Double>) vj.computeIfAbsent("cv_mlp_only_mcnemar_p_by_seed", k -> new ArrayList<Double>())).add(round(mlpBow.pValue()));
                    if (defaultBySeed[s] == null) {
                        defaultBySeed[s] = cv.model();
                    } else {
                        PairedComparison pd = PairedComparison.of(cv.model(), defaultBySeed[s]);
                        vsDefault = String.format("; against the default: right on %d pairs it misses, wrong on %d it gets (p = %.4f)",
                                pd.onlyA(), pd.onlyB(), pd.pValue());
                        ((List<Double>) vj.computeIfAbsent("cv_vs_default_p_by_seed", k -> new ArrayList<Double>())).add(round(pd.pValue()));
                        PairedComparison pm = PairedComparison.of(cv.mlpOnly(), defaultBySeed[s]);
                        mlpVs += String.format(", against the default p = %.4f", pm.pValue());
                        ((List<Double>) vj.computeIfAbsent("cv_mlp_only_vs_default_p_by_seed", k -> new ArrayList<Double>())).add(round(pm.pValue()));
                    }
                    stdout.printf("[%s] %d-fold CV (seed %d): model %.4f (ECE %.4f), MLP heads alone %.4f; against the baseline: right on %d pairs it misses, wrong on %d it gets (McNemar p = %.4f)%s%n",
                            v.label(), folds, cfg.seed(), m.accuracy(), m.ece(), mlp.accuracy(), pc.onlyA(), pc.onlyB(), pc.pValue(), vsDefault);
                    if (reference != null) {
                        PairedComparison rm = PairedComparison.of(cv.model(), reference);
                        PairedComparison rq = PairedComparison.of(cv.mlpOnly(), reference);
                        mlpVs += String.format("; against %s: model p = %.4f, MLP heads alone p = %.4f", pairAgainst, rm.pValue(), rq.pValue());
                        ((List<Double>) vj.computeIfAbsent("cv_vs_reference_p_by_seed", k -> new ArrayList<Double>())).add(round(rm.pValue()));
                        ((List<Double>) vj.computeIfAbsent("cv_mlp_only_vs_reference_p_by_seed", k -> new ArrayList<Double>())).add(round(rq.pValue()));
                    }
                    if (v.label().equals(pairAgainst)) {
                        reference = cv.model();
                    }
                    stdout.printf("[%s]   %s%n", v.label(), mlpVs);
                    stdout.flush();
                    double[] sum = sums.get(v.label());
                    sum[0] += m.accuracy();
                    sum[1] += mlp.accuracy();
                    ((List<Double>) vj.computeIfAbsent("cv_accuracy_by_seed", k -> new ArrayList<Double>())).add(round(m.accuracy()));
                    ((List<Double>) vj.computeIfAbsent("cv_mcnemar_p_by_seed", k -> new ArrayList<Double>())).add(round(pc.pValue()));
                    if (s == 0) {
                        vj.put("cv_ece", round(m.ece()));
                    }
                }
            }
            for (Variant v : variants) {
                Map<String, Object> vj = (Map<String, Object>) byVariant.get(v.label());
                double[] sum = sums.get(v.label());
                stdout.printf("[%s] %d-fold CV, mean over %d seeds: model %.4f, MLP heads alone %.4f, baseline %.4f%n",
                        v.label(), folds, seeds, sum[0] / seeds, sum[1] / seeds, PairwiseMetrics.of(bowCv).accuracy());
                vj.put("cv_accuracy", round(sum[0] / seeds));
                vj.put("cv_mlp_only_accuracy", round(sum[1] / seeds));
                if (!skipHeldOut && !v.cvOnly()) {
                    heldOut(v, encoded.get(v.features()), all, dev, held, vj);
                }
            }
            Map<String, Object> first = (Map<String, Object>) byVariant.get("default");
            json.putAll(first);
            if (variants.size() > 1) {
                json.put("variants", byVariant);
            }

            if (ablation) {
                Encoded e = encoded.get(Variant.features(model.encoder, model.relation));
                Map<String, LossSwitches> sw = new LinkedHashMap<>();
                LossSwitches plain = LossSwitches.PLAIN;
                sw.put("plain", plain);
                sw.put("margin", plain.withMargin(0.5));
                sw.put("smoothing", plain.withSmoothing(0.1));
                sw.put("flip", plain.withFlip(0.1));
                sw.put("all", plain.withMargin(0.5).withSmoothing(0.1).withFlip(0.1));
                Map<String, Double> ab = new LinkedHashMap<>();
                for (var v : sw.entrySet()) {
                    Predictions res = crossValidate(base.withSwitches(v.getValue()), e.feats(), dev, e.fx());
                    double acc = PairwiseMetrics.of(res.model()).accuracy();
                    stdout.printf("loss %-9s %d-fold CV accuracy %.4f (MLP heads alone %.4f)%n", v.getKey(), folds, acc,
                            PairwiseMetrics.of(res.mlpOnly()).accuracy());
                    ab.put(v.getKey(), round(acc));
                }
                json.put("ablation_cv_accuracy", ab);
            }
        } finally {
            caches.values().forEach(EmbeddingCache::close);
        }
        stdout.println(Json.write(json));
        return 0;
    }

    /** Trained on all development pairs, measured on the held-out ones, beside the baseline. */
    private void heldOut(Variant v, Encoded e, List<LabeledPair> all, List<Integer> dev, List<Integer> held, Map<String, Object> vj) {
        List<PairFeatures> devF = dev.stream().map(e.feats()::get).toList();
        List<PairFeatures> heldF = held.stream().map(e.feats()::get).toList();
        EnsembleTrainer.Result r = trainer(v.config(), e.fx(), heldF).train(devF, e.fx().spec(), null, EnsembleTrainer.Progress.NONE);
        double[] pModel = ModelTraining.pChosen(r.weights(), heldF);
        PairwiseMetrics m = PairwiseMetrics.of(pModel);
        PairwiseMetrics mlp = PairwiseMetrics.of(ModelTraining.pChosen(r.weights().withBow(null), heldF));
        BowBaseline bow = BowBaseline.train(dev.stream().map(all::get).toList());
        double[] pBow = held.stream().mapToDouble(i -> bow.pChosen(all.get(i))).toArray();
        PairwiseMetrics b = PairwiseMetrics.of(pBow);
        PairedComparison pc = PairedComparison.of(pModel, pBow);
        stdout.printf("[%s] held-out: model %.4f (95%% CI %.4f-%.4f, ECE %.4f), MLP heads alone %.4f, baseline %.4f (95%% CI %.4f-%.4f), n=%d, train %.1f s, temperature %.2f; "
                        + "model right where the baseline is wrong on %d pairs, the reverse on %d (McNemar p = %.4f)%n",
                v.label(), m.accuracy(), m.ciLow(), m.ciHigh(), m.ece(), mlp.accuracy(), b.accuracy(), b.ciLow(), b.ciHigh(), m.n(), r.seconds(), r.temperature(),
                pc.onlyA(), pc.onlyB(), pc.pValue());
        vj.put("accuracy", round(m.accuracy()));
        vj.put("accuracy_ci_low", round(m.ciLow()));
        vj.put("accuracy_ci_high", round(m.ciHigh()));
        vj.put("ece", round(m.ece()));
        vj.put("temperature", round(r.temperature()));
        vj.put("mlp_only_accuracy", round(mlp.accuracy()));
        vj.put("baseline_accuracy", round(b.accuracy()));
        vj.put("mcnemar_p", round(pc.pValue()));
        vj.put("n", m.n());
    }

    /** Trained on every pair of the main file, measured on another file's pairs, beside the baseline trained alike. */
    private void outOfDomain(Variant v, Encoded e, List<LabeledPair> all, List<LabeledPair> ood, List<PairFeatures> oodF, Path f,
                             Map<String, Object> vj) {
        EnsembleTrainer.Result r = trainer(v.config(), e.fx(), oodF).train(e.feats(), e.fx().spec(), null, EnsembleTrainer.Progress.NONE);
        double[] pModel = ModelTraining.pChosen(r.weights(), oodF);
        BowBaseline bow = BowBaseline.train(all);
        double[] pBow = ood.stream().mapToDouble(bow::pChosen).toArray();
        PairwiseMetrics m = PairwiseMetrics.of(pModel);
        PairwiseMetrics b = PairwiseMetrics.of(pBow);
        PairwiseMetrics mlp = PairwiseMetrics.of(ModelTraining.pChosen(r.weights().withBow(null), oodF));
        PairedComparison pc = PairedComparison.of(pModel, pBow);
        stdout.printf("[%s] out of domain, trained on all %d pairs, measured on %s: model %.4f (95%% CI %.4f-%.4f), MLP heads alone %.4f, baseline %.4f, n=%d (McNemar p = %.4f)%n",
                v.label(), all.size(), f.getFileName(), m.accuracy(), m.ciLow(), m.ciHigh(), mlp.accuracy(), b.accuracy(), m.n(), pc.pValue());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("accuracy", round(m.accuracy()));
        o.put("mlp_only_accuracy", round(mlp.accuracy()));
        o.put("baseline_accuracy", round(b.accuracy()));
        o.put("mcnemar_p", round(pc.pValue()));
        o.put("n", m.n());
        @SuppressWarnings("unchecked")
        Map<String, Object> oodJson = (Map<String, Object>) vj.computeIfAbsent("out_of_domain", k -> new LinkedHashMap<String, Object>());
        oodJson.put(f.toString(), o);
    }

    /** With MetaRM, the pairs a model is measured on are its shifted samples (their responses only, unlabeled). */
    private static EnsembleTrainer trainer(TrainConfig cfg, FeatureExtractor fx, List<PairFeatures> measuredOn) {
        EnsembleTrainer t = EnsembleTrainer.of(cfg, fx.spec(), fx.partDimensions());
        return cfg.metaRm() > 0 ? t.withShifted(measuredOn) : t;
    }

    /** Per development pair (in dev order), the CV probability that its winner wins: whole model and MLP heads alone. */
    private record Predictions(double[] model, double[] mlpOnly) {

        /** Late fusion: per pair, the mean of the models' probabilities. */
        static Predictions mean(List<Predictions> ps) {
            int n = ps.get(0).model().length;
            double[] m = new double[n];
            double[] q = new double[n];
            for (Predictions p : ps) {
                for (int i = 0; i < n; i++) {
                    m[i] += p.model()[i] / ps.size();
                    q[i] += p.mlpOnly()[i] / ps.size();
                }
            }
            return new Predictions(m, q);
        }
    }

    private Variant fusion(String prefix, String f, TrainConfig base) {
        List<String> parts = List.of(f.split(","));
        if (parts.size() < 2) {
            throw new IllegalArgumentException("fusion needs two or more encoders separated by commas: " + f);
        }
        return new Variant(prefix + f, parts.get(0), base, parts, false, model.relation);
    }

    /**
     * {@code --compare-fused ENC[/CONTEXT][:HEADS]}: the model {@code train --encoder ENC --fusion} writes, with the
     * prompt context CONTEXT (default: the run's) and HEADS heads in all (default: {@code --heads} per encoder part).
     */
    private Variant fused(String f, TrainConfig base) {
        String enc = f;
        Integer heads = null;
        String context = null;
        int colon = enc.lastIndexOf(':');
        if (colon >= 0) {
            heads = Integer.parseInt(enc.substring(colon + 1));
            enc = enc.substring(0, colon);
        }
        int slash = enc.indexOf('/');
        if (slash >= 0) {
            context = enc.substring(slash + 1);
            enc = enc.substring(0, slash);
        }
        int parts = enc.split("\\+").length;
        if (parts < 2) {
            throw new IllegalArgumentException("--compare-fused needs a concatenated encoder such as e5-small+bge-small: " + f);
        }
        return new Variant("fused " + f, enc, base.withFusion(true).withHeads(heads != null ? heads : base.heads() * parts), List.of(), false,
                model.relation, context);
    }

    /** The head settings of a grid such as {@code hidden=32,64;epochs=6,12}: every combination, over {@code base}. */
    static List<TrainConfig> grid(TrainConfig base, String spec) {
        List<TrainConfig> out = new ArrayList<>(List.of(base));
        for (String axis : spec.split(";")) {
            if (axis.isBlank()) {
                continue;
            }
            String[] kv = axis.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--tune-grid: expected key=v1,v2 but got " + axis);
            }
            List<TrainConfig> next = new ArrayList<>();
            for (TrainConfig c : out) {
                for (String val : kv[1].split(",")) {
                    String x = val.trim();
                    next.add(switch (kv[0].trim()) {
                        case "hidden" -> new TrainConfig(c.heads(), Integer.parseInt(x), c.epochs(), c.batch(), c.lr(), c.weightDecay(), c.dropout(),
                                c.bootstrap(), c.seed(), c.switches(), c.wide(), c.calibrate(), c.contrastive(), c.metaRm(), c.fusion());
                        case "epochs" -> c.withEpochs(Integer.parseInt(x));
                        case "heads" -> c.withHeads(Integer.parseInt(x));
                        case "lr" -> new TrainConfig(c.heads(), c.hidden(), c.epochs(), c.batch(), Float.parseFloat(x), c.weightDecay(), c.dropout(),
                                c.bootstrap(), c.seed(), c.switches(), c.wide(), c.calibrate(), c.contrastive(), c.metaRm(), c.fusion());
                        case "weight-decay" -> new TrainConfig(c.heads(), c.hidden(), c.epochs(), c.batch(), c.lr(), Float.parseFloat(x), c.dropout(),
                                c.bootstrap(), c.seed(), c.switches(), c.wide(), c.calibrate(), c.contrastive(), c.metaRm(), c.fusion());
                        case "dropout" -> new TrainConfig(c.heads(), c.hidden(), c.epochs(), c.batch(), c.lr(), c.weightDecay(), Float.parseFloat(x),
                                c.bootstrap(), c.seed(), c.switches(), c.wide(), c.calibrate(), c.contrastive(), c.metaRm(), c.fusion());
                        default -> throw new IllegalArgumentException("--tune-grid: unknown key " + kv[0]
                                + " (hidden, epochs, heads, lr, weight-decay, dropout)");
                    });
                }
            }
            out = next;
        }
        return out;
    }

    /** The values of the grid's {@code bow} axis ({@code on}, {@code off}); [on] without one. */
    static List<Boolean> bowAxis(String spec) {
        for (String axis : spec.split(";")) {
            String[] kv = axis.split("=", 2);
            if (kv.length == 2 && kv[0].trim().equals("bow")) {
                List<Boolean> out = new ArrayList<>();
                for (String v : kv[1].split(",")) {
                    out.add(switch (v.trim()) {
                        case "on" -> true;
                        case "off" -> false;
                        default -> throw new IllegalArgumentException("--tune-grid: bow takes on and off, not " + v);
                    });
                }
                return out;
            }
        }
        return List.of(true);
    }

    static String withoutBowAxis(String spec) {
        List<String> kept = new ArrayList<>();
        for (String axis : spec.split(";")) {
            if (!axis.split("=", 2)[0].trim().equals("bow")) {
                kept.add(axis);
            }
        }
        return String.join(";", kept);
    }

    private static String describe(TrainConfig c) {
        return String.format("heads %d, hidden %d, epochs %d, lr %s, weight decay %s, dropout %s",
                c.heads(), c.hidden(), c.epochs(), c.lr(), c.weightDecay(), c.dropout());
    }

    /**
     * Nested CV: in every outer fold, each setting of the grid is scored by {@value #INNER_FOLDS}-fold CV on the
     * outer fold's training pairs only (inner folds by the same partition, salted hash), and the best setting is
     * trained on all of them and measured on the outer fold. The outer folds never take part in the choice.
     */
    @SuppressWarnings("unchecked")
    private Predictions crossValidateTuned(TrainConfig cfg, List<TrainConfig> grid, List<Boolean> bowChoices, List<PairFeatures> feats,
                                           List<Integer> dev, FeatureExtractor fx, Map<String, Object> vj) {
        FeatureSpec spec = fx.spec();
        double[] model = new double[dev.size()];
        double[] mlpOnly = new double[dev.size()];
        List<String> chosen = new ArrayList<>();
        for (int k = 0; k < folds; k++) {
            List<Integer> train = new ArrayList<>();
            List<Integer> te = new ArrayList<>();
            for (int j = 0; j < dev.size(); j++) {
                (foldOf[j] == k ? te : train).add(j);
            }
            TrainConfig best = null;
            boolean bestBow = true;
            double bestAcc = -1;
            for (TrainConfig g : grid) {
                List<Double> inner = new ArrayList<>();
                List<Double> innerNoBow = new ArrayList<>();
                for (int i = 0; i < INNER_FOLDS; i++) {
                    List<PairFeatures> tr = new ArrayList<>();
                    List<PairFeatures> ev = new ArrayList<>();
                    for (int j : train) {
                        (innerFoldOf[j] == i ? ev : tr).add(feats.get(dev.get(j)));
                    }
                    EnsembleTrainer.Result r = EnsembleTrainer.of(g.withSeed(cfg.seed() + 100L * k + i), spec, fx.partDimensions())
                            .train(tr, spec, null, EnsembleTrainer.Progress.NONE);
                    for (double p : ModelTraining.pChosen(r.weights(), ev)) {
                        inner.add(p);
                    }
                    for (double p : ModelTraining.pChosen(r.weights().withBow(null), ev)) {
                        innerNoBow.add(p);
                    }
                }
                for (boolean bow : bowChoices) {
                    double acc = PairwiseMetrics.of((bow ? inner : innerNoBow).stream().mapToDouble(Double::doubleValue).toArray()).accuracy();
                    if (acc > bestAcc) {
                        bestAcc = acc;
                        best = g;
                        bestBow = bow;
                    }
                }
            }
            String what = describe(best) + (bestBow ? ", bag-of-words head" : ", no bag-of-words head");
            chosen.add(what);
            stdout.printf("  [tuned] outer fold %d: chose %s (inner CV %.4f)%n", k, what, bestAcc);
            List<PairFeatures> tr = train.stream().map(j -> feats.get(dev.get(j))).toList();
            List<PairFeatures> teF = te.stream().map(j -> feats.get(dev.get(j))).toList();
            EnsembleTrainer.Result r = EnsembleTrainer.of(best.withSeed(cfg.seed() + k), spec, fx.partDimensions()).train(tr, spec, null, EnsembleTrainer.Progress.NONE);
            double[] q = ModelTraining.pChosen(r.weights().withBow(null), teF);
            double[] p = bestBow ? ModelTraining.pChosen(r.weights(), teF) : q;
            for (int t = 0; t < te.size(); t++) {
                model[te.get(t)] = p[t];
                mlpOnly[te.get(t)] = q[t];
            }
        }
        ((List<Object>) vj.computeIfAbsent("tuned_choices_by_seed", x -> new ArrayList<>())).add(chosen);
        return new Predictions(model, mlpOnly);
    }

    /** Folds by prompt hash over the development part ({@link PairFiles#fold}). */
    private Predictions crossValidate(TrainConfig cfg, List<PairFeatures> feats, List<Integer> dev, FeatureExtractor fx) {
        FeatureSpec spec = fx.spec();
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
            EnsembleTrainer.Result r = trainer(cfg.withSeed(cfg.seed() + k), fx, teF).train(tr, spec, null, EnsembleTrainer.Progress.NONE);
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
