package dev.rlaif.trainer.round;

import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.MlpRewardModel;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.eval.PairwiseMetrics;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.rm.train.BowLogistic;
import dev.rlaif.rm.train.EnsembleTrainer;
import dev.rlaif.rm.train.ModelTraining;
import dev.rlaif.rm.train.PairFeatures;
import dev.rlaif.rm.train.TrainConfig;
import dev.rlaif.schema.RewardModelVersion;
import dev.rlaif.trainer.TrainerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One training round: train a candidate ensemble on the replay buffer, evaluate it and the current version on the
 * gold set, and publish the candidate unless it is worse than the current one by more than the tolerance.
 *
 * <p>Tiny data: while the gold set has fewer than {@code minGold} pairs, accuracy on it says little (a 95% interval
 * wider than +-0.18), so the candidate is published without the comparison (gate "bootstrap"); its metrics still
 * report what the few gold pairs say. From {@code minGold} pairs on, the gate compares both models on the same,
 * current gold set, and rejects the candidate when its accuracy is lower by more than
 * {@code max(tolerance, sqrt(2 p (1 - p) / n))} (one standard error of the difference at the current accuracy p).
 */
public final class RoundRunner {

    private static final Logger LOG = LoggerFactory.getLogger(RoundRunner.class);
    private static final int BATCH = 64;
    private static final int KEEP = 5;

    /** What a round did. */
    public record Outcome(RewardModelVersion event, boolean published, String gate, double seconds) {
    }

    private final ModelStore store;
    private final TrainerConfig config;
    /** The bag-of-words head's setting, reused until the buffer doubles (tuning costs ~80 passes over it). */
    private BowLogistic.Tuning bowTuning;

    private final ProbeSet probe;
    private List<PairFeatures> probeFeatures;
    private String probeEncoder;

    public RoundRunner(ModelStore store, TrainerConfig config) {
        this(store, config, ProbeSet.NONE);
    }

    /** With an out-of-domain probe set, measured every round beside the gold set ({@code probe_*} metrics). */
    public RoundRunner(ModelStore store, TrainerConfig config, ProbeSet probe) {
        this.store = store;
        this.config = config;
        this.probe = probe;
    }

    public Outcome run(List<LabeledPair> train, List<LabeledPair> gold, Map<String, Long> offsets) throws IOException {
        long t0 = System.nanoTime();
        FeatureSpec spec = config.spec(store.encoder());
        FeatureExtractor fx = new FeatureExtractor(store.encoder(), spec);
        List<PairFeatures> trainF = ModelTraining.featurize(fx, train, k -> { });
        List<PairFeatures> goldF = ModelTraining.featurize(fx, gold, k -> { });
        int stepsPerEpoch = (trainF.size() + BATCH - 1) / BATCH;
        // a fixed step budget per head: a small buffer gets more epochs (else early rounds would be undertrained),
        // a large one fewer (so a round's cost stays bounded)
        int epochs = Math.max(1, Math.min(config.epochs(), config.maxStepsPerHead() / stepsPerEpoch));
        TrainConfig d = TrainConfig.DEFAULT;
        TrainConfig tc = new TrainConfig(config.heads(), config.hidden(), epochs, BATCH, d.lr(), d.weightDecay(), d.dropout(),
                d.bootstrap(), d.seed(), config.switches()).withFusion(config.fusion());
        EnsembleTrainer.Result result = EnsembleTrainer.of(tc, spec, fx.partDimensions()).train(trainF, spec, bowTuning, EnsembleTrainer.Progress.NONE);
        bowTuning = result.bowTuning();

        Map<String, Double> metrics = new LinkedHashMap<>();
        PairwiseMetrics candidate = ModelTraining.evaluate(result.weights(), goldF);
        if (!goldF.isEmpty()) {
            metrics.putAll(candidate.asMap());
        } else {
            metrics.put("n_eval", 0.0);
        }
        Optional<RewardModel> current = store.current();
        String gate;
        boolean publish;
        if (current.isEmpty()) {
            gate = "first";
            publish = true;
        } else if (goldF.size() < config.minGold()) {
            gate = "bootstrap";
            publish = true;
        } else {
            MlpRewardModel cur = (MlpRewardModel) current.get();
            PairwiseMetrics before = ModelTraining.evaluate(cur.weights(),
                    ModelTraining.featurize(cur.featureExtractor(), gold, k -> { }));
            metrics.put("current_accuracy", before.accuracy());
            double p = before.accuracy();
            // the gold set is small: "worse" must exceed both the tolerance and one standard error of the paired
            // difference of two accuracies on the same n pairs (about sqrt(2 p (1 - p) / n))
            double se = Math.sqrt(2 * p * (1 - p) / goldF.size());
            double allowed = Math.max(config.tolerance(), se);
            metrics.put("gate_allowed_drop", allowed);
            publish = candidate.accuracy() >= before.accuracy() - allowed;
            gate = publish ? "not_worse" : "worse";
        }
        if (!probe.isEmpty()) {
            if (probeFeatures == null || !fx.spec().encoderId().equals(probeEncoder)) {
                probeFeatures = ModelTraining.featurize(fx, probe.pairs(), k -> { });   // once: the probe does not change
                probeEncoder = fx.spec().encoderId();
            }
            PairwiseMetrics p = ModelTraining.evaluate(result.weights(), probeFeatures);
            metrics.put("probe_accuracy", p.accuracy());
            metrics.put("probe_ci_low", p.ciLow());
            metrics.put("probe_ci_high", p.ciHigh());
            metrics.put("probe_ece", p.ece());
            metrics.put("n_probe", (double) p.n());
        }
        metrics.put("train_seconds", result.seconds());
        metrics.put("epochs", (double) epochs);
        String version = store.nextVersion();
        String parent = current.map(RewardModel::version).orElse(null);
        ModelManifest manifest = ModelTraining.manifest(version, parent, fx, tc, result, metrics, offsets, trainF.size(),
                "topic:preferences", config.holdoutShare());
        // rejected candidates are kept too (unpublished): the newest version's offsets are where a restart resumes
        java.nio.file.Path written = store.write(manifest, result.weights()).toAbsolutePath();
        String path = written.toString();
        String checksum = dev.rlaif.rm.versions.VersionChecksum.of(written);
        if (publish) {
            store.publish(version);
        }
        store.prune(KEEP);
        double seconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("Round {}: {} training pairs, {} gold, accuracy {} -> {} ({}), out-of-domain probe {} in {} s", version, trainF.size(), goldF.size(),
                metrics.getOrDefault("current_accuracy", Double.NaN), candidate.accuracy(), gate,
                metrics.getOrDefault("probe_accuracy", Double.NaN), String.format("%.2f", seconds));
        RewardModelVersion event = RewardModelVersion.newBuilder()
                .setVersion(version)
                .setParent(parent)
                .setPath(path)
                .setChecksum(checksum)
                .setPublished(publish)
                .setMetrics(new LinkedHashMap<>(metrics))
                .setDataOffsets(new LinkedHashMap<>(offsets))
                .setNTrain(trainF.size())
                .setTextEncoder(spec.encoderId())
                .setCreatedAt(Instant.now())
                .build();
        return new Outcome(event, publish, gate, seconds);
    }
}
