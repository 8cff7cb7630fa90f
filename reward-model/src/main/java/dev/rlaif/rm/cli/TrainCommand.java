package dev.rlaif.rm.cli;

import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.eval.PairwiseMetrics;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.train.EnsembleTrainer;
import dev.rlaif.rm.train.ModelTraining;
import dev.rlaif.rm.train.PairFeatures;
import dev.rlaif.rm.train.TrainConfig;
import dev.rlaif.common.json.Json;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif train --data FILE --out DIR}: trains a reward model on a pairwise dataset file and writes a model
 * directory (manifest + weights) atomically. A hashed share of pairs ({@code --holdout-share}) is left out of
 * training and evaluated; {@code eval} on the same file later measures exactly those pairs.
 */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a reward model on a pairwise dataset file.")
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "Dataset file (HH-RLHF, pairwise JSONL, PandaLM; .gz ok).")
    Path data;
    @Option(names = "--format", description = "hh-rlhf, pairwise or pandalm (detected when omitted).")
    String format;
    @Option(names = "--out", required = true, description = "Model directory to create.")
    Path out;
    @Option(names = "--holdout-share", defaultValue = "0.2", description = "Share of pairs kept out of training, by prompt hash: pairs of one prompt stay together (default ${DEFAULT-VALUE}).")
    double holdoutShare;
    @Mixin
    ModelOptions model;
    @Option(names = "--cache", description = "Embedding cache directory (default: cache/ beside --out).")
    Path cache;
    @Option(names = "--shifted-data", description = "MetaRM's shifted samples (--meta-rm): a pairwise file whose responses, not labels, are used (e.g. the policy's current generations, or another domain).")
    Path shiftedData;

    PrintStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
        Path target = out.toAbsolutePath();
        if (Files.exists(target) && (!Files.isDirectory(target) || Files.list(target).findAny().isPresent())) {
            throw new IllegalArgumentException("--out " + target + " exists and is not empty");
        }
        DatasetFormat fmt = format == null ? null : DatasetFormat.parse(format);
        List<LabeledPair> all = PairFiles.read(data, fmt);
        List<LabeledPair> train = all.stream().filter(p -> !PairFiles.heldOut(p, holdoutShare)).toList();
        List<LabeledPair> held = all.stream().filter(p -> PairFiles.heldOut(p, holdoutShare)).toList();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no labeled training pairs in " + data);
        }
        stdout.printf("pairs: %d labeled, %d for training, %d held out%n", all.size(), train.size(), held.size());
        Path cacheDir = cache != null ? cache : target.getParent().resolve("cache");
        TrainConfig cfg = model.config(false);
        if (cfg.metaRm() > 0 && shiftedData == null) {
            throw new IllegalArgumentException("--meta-rm needs --shifted-data (the shifted distribution's responses)");
        }
        try (EmbeddingCache enc = Encoders.open(model.encoder, cacheDir)) {
            FeatureExtractor fx = new FeatureExtractor(enc, model.spec(enc));
            List<PairFeatures> trainF;
            List<PairFeatures> heldF;
            try (ProgressBar bar = Bars.of("encode", all.size())) {
                trainF = ModelTraining.featurize(fx, train, bar::stepBy);
                heldF = ModelTraining.featurize(fx, held, bar::stepBy);
            }
            EnsembleTrainer trainer = EnsembleTrainer.of(cfg, fx.spec(), fx.partDimensions());
            if (shiftedData != null) {
                trainer = trainer.withShifted(ModelTraining.featurize(fx, PairFiles.read(shiftedData, null), k -> { }));
            }
            EnsembleTrainer.Result result;
            try (ProgressBar bar = Bars.of("train", trainer.totalSteps(trainF.size()))) {
                result = trainer.train(trainF, fx.spec(), null, bar::step);
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (!heldF.isEmpty()) {
                PairwiseMetrics m = ModelTraining.evaluate(result.weights(), heldF);
                metrics.putAll(m.asMap());
                stdout.printf("held-out accuracy %.4f (95%% CI %.4f-%.4f), ECE %.4f, n=%d%n", m.accuracy(), m.ciLow(), m.ciHigh(), m.ece(), m.n());
            }
            metrics.put("train_seconds", result.seconds());
            ModelManifest manifest = ModelTraining.manifest(target.getFileName().toString(), null, fx, cfg, result, metrics, Map.of(),
                    trainF.size(), data.toAbsolutePath().toString(), holdoutShare)
                    .withTraining("holdout_split", PairFiles.SPLIT_BY_PROMPT);
            write(target, manifest, result.weights());
            stdout.printf("wrote %s in %.1f s of training%n", target, result.seconds());
            Map<String, Object> summary = new LinkedHashMap<>(metrics);
            summary.put("n_train", trainF.size());
            summary.put("model", target.toString());
            stdout.println(Json.write(summary));
        }
        return 0;
    }

    /** Temp sibling directory, then one rename: a model directory is complete or absent. */
    static void write(Path target, ModelManifest manifest, EnsembleWeights weights) throws Exception {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
        weights.write(tmp.resolve(EnsembleWeights.FILE));
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(ModelManifest.FILE).toFile(), manifest);
        if (Files.isDirectory(target)) {
            Files.delete(target);   // empty (checked above)
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
