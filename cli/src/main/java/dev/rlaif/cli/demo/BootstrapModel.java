package dev.rlaif.cli.demo;

import dev.rlaif.common.json.Json;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.rm.eval.PairwiseMetrics;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.train.EnsembleTrainer;
import dev.rlaif.rm.train.ModelTraining;
import dev.rlaif.rm.train.PairFeatures;
import dev.rlaif.rm.train.TrainConfig;
import dev.rlaif.schema.RewardModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's first reward model, so the loop is visible from the first pair: trained on a slice of the dataset that
 * the demo does not replay (the comparisons at the end of the file; the replay takes them from the start and stops
 * before the slice), written into the models directory as {@code v000001} through the same {@link ModelStore} the
 * trainer uses, and announced on {@code model-versions} like a trainer round. The judge then is confident on some
 * pairs (AI labels) and unsure of the rest (escalations), and the human labels of those refresh the model.
 *
 * <p>A trained model is cached in a directory keyed by the dataset file, the slice and the training settings, so a
 * second demo run loads it instead of training again.
 */
public final class BootstrapModel {

    private static final Logger LOG = LoggerFactory.getLogger(BootstrapModel.class);
    static final String VERSION = "v000001";
    static final double HOLDOUT_SHARE = 0.2;

    /** Heads and epochs: a few seconds of training on 2 cores for a few hundred pairs. */
    static final TrainConfig CONFIG = TrainConfig.DEFAULT;

    /** What {@link #install} did. */
    public record Installed(RewardModelVersion event, boolean cached, double seconds) {
    }

    private BootstrapModel() {
    }

    /**
     * Trains (or loads from {@code cacheRoot}) a model on {@code slice}, writes and publishes it as the store's first
     * version.
     *
     * @param sliceId what the slice is (file, first index, count), part of the cache key
     */
    public static Installed install(ModelStore store, List<LabeledPair> slice, String sliceId, Path cacheRoot) throws IOException {
        long t0 = System.nanoTime();
        if (!store.versions().isEmpty()) {
            throw new IllegalStateException("the models directory " + store.dir() + " already holds versions: no bootstrap");
        }
        FeatureExtractor fx = new FeatureExtractor(store.encoder(), FeatureExtractor.defaultSpec(store.encoder()));
        String key = key(sliceId, fx, slice.size());
        Path cached = cacheRoot.resolve("bootstrap-" + key);
        ModelManifest manifest;
        EnsembleWeights weights;
        boolean hit = Files.exists(cached.resolve(ModelManifest.FILE)) && Files.exists(cached.resolve(EnsembleWeights.FILE));
        if (hit) {
            manifest = ModelStore.readManifest(cached);
            weights = EnsembleWeights.read(cached.resolve(EnsembleWeights.FILE));
            LOG.info("Bootstrap reward model loaded from the cache {}", cached);
        } else {
            List<LabeledPair> train = slice.stream().filter(p -> !PairFiles.heldOut(p, HOLDOUT_SHARE)).toList();
            List<LabeledPair> held = slice.stream().filter(p -> PairFiles.heldOut(p, HOLDOUT_SHARE)).toList();
            if (train.size() < 2) {
                throw new IllegalArgumentException("the bootstrap slice has fewer than 2 labeled pairs");
            }
            List<PairFeatures> trainF = ModelTraining.featurize(fx, train, k -> { });
            List<PairFeatures> heldF = ModelTraining.featurize(fx, held, k -> { });
            LOG.info("Bootstrap slice embedded in {} s", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            EnsembleTrainer.Result result = new EnsembleTrainer(CONFIG).train(trainF, fx.spec(), null, EnsembleTrainer.Progress.NONE);
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (!heldF.isEmpty()) {
                PairwiseMetrics m = ModelTraining.evaluate(result.weights(), heldF);
                metrics.putAll(m.asMap());
            }
            metrics.put("train_seconds", result.seconds());
            manifest = ModelTraining.manifest(VERSION, null, fx, CONFIG, result, metrics, Map.of(), trainF.size(),
                    "bootstrap:" + sliceId, HOLDOUT_SHARE).withTraining("holdout_split", PairFiles.SPLIT_BY_PROMPT);
            weights = result.weights();
            writeCache(cached, manifest, weights);
        }
        Path path = store.write(manifest, weights);
        store.publish(VERSION);
        RewardModelVersion event = RewardModelVersion.newBuilder()
                .setVersion(VERSION)
                .setParent(null)
                .setPath(path.toAbsolutePath().toString())
                .setChecksum(dev.rlaif.rm.versions.VersionChecksum.of(path))
                .setPublished(true)
                .setMetrics(new LinkedHashMap<>(manifest.metrics()))
                .setDataOffsets(new LinkedHashMap<>())
                .setNTrain(manifest.nTrain())
                .setTextEncoder(manifest.features().encoderId())
                .setCreatedAt(Instant.now())
                .build();
        return new Installed(event, hit, (System.nanoTime() - t0) / 1e9);
    }

    /** Written under a temporary name and renamed: a cache entry is complete or absent. */
    private static void writeCache(Path target, ModelManifest manifest, EnsembleWeights weights) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), ".tmp-bootstrap-");
            weights.write(tmp.resolve(EnsembleWeights.FILE));
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(ModelManifest.FILE).toFile(), manifest);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Could not cache the bootstrap model in {} (the next run trains again): {}", target, e.toString());
        }
    }

    static String key(String sliceId, FeatureExtractor fx, int n) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((sliceId + "|" + n + "|" + Json.write(fx.spec()) + "|" + CONFIG.describe()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
