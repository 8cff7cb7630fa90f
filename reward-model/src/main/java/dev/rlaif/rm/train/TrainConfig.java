package dev.rlaif.rm.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ensemble training settings.
 *
 * @param heads       ensemble size M
 * @param hidden      hidden units per head
 * @param epochs      passes over each head's sample
 * @param batch       pairs per step
 * @param lr          Adam learning rate
 * @param weightDecay L2 weight decay
 * @param dropout     dropout rate on the input and hidden layer
 * @param bootstrap   each head trains on a bootstrap resample (else on a shuffled copy of all pairs)
 * @param seed        seed of sampling and initialisation
 * @param switches    the loss switches
 * @param calibrate   fit a temperature on a held-out fifth of the pairs and scale the rewards by it
 *                    ({@link EnsembleTrainer}); from 100 pairs on
 * @param wide        each head also has a linear part over all (standardised) features, trained jointly with
 *                    the MLP (wide and deep): {@code r(x) = mlp(x) + w . z + b}; exported as two extra ReLU units
 *                    ({@code relu(a) - relu(-a) = a}), so the weights file format does not change
 * @param contrastive weight of the contrastive loss on the heads' representations added to the Bradley-Terry loss
 *                    (SimCSE-style, Secrets of RLHF II; {@link EnsembleTrainer}); 0 = off
 * @param metaRm      MetaRM's inner step size: before each Bradley-Terry step the head takes a gradient-ascent step
 *                    of this size on the difference loss of unlabeled shifted samples (Secrets of RLHF II); 0 = off;
 *                    without shifted samples it does nothing
 * @param fusion      late fusion inside one model: over a concatenated encoder ({@code a+b}), head h sees only part
 *                    {@code h % parts}'s slice of every encoder block plus all non-encoder features
 *                    ({@link FusionGroups}); needs heads to be a multiple of the parts; the other inputs are exported
 *                    as zero weights, so the weights file and serving do not change
 */
public record TrainConfig(int heads, int hidden, int epochs, int batch, float lr, float weightDecay, float dropout,
                          boolean bootstrap, long seed, LossSwitches switches, boolean wide, boolean calibrate,
                          double contrastive, double metaRm, boolean fusion) {

    public static final TrainConfig DEFAULT = new TrainConfig(5, 32, 6, 64, 1e-3f, 0.1f, 0.5f, false, 42, LossSwitches.PLAIN, false, true);

    /** Without the linear part. */
    public TrainConfig(int heads, int hidden, int epochs, int batch, float lr, float weightDecay, float dropout,
                       boolean bootstrap, long seed, LossSwitches switches) {
        this(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, false, true);
    }

    /** Calibrated. */
    public TrainConfig(int heads, int hidden, int epochs, int batch, float lr, float weightDecay, float dropout,
                       boolean bootstrap, long seed, LossSwitches switches, boolean wide) {
        this(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, true);
    }

    /** Neither contrastive loss nor MetaRM. */
    public TrainConfig(int heads, int hidden, int epochs, int batch, float lr, float weightDecay, float dropout,
                       boolean bootstrap, long seed, LossSwitches switches, boolean wide, boolean calibrate) {
        this(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, calibrate, 0, 0);
    }

    /** Without late fusion. */
    public TrainConfig(int heads, int hidden, int epochs, int batch, float lr, float weightDecay, float dropout,
                       boolean bootstrap, long seed, LossSwitches switches, boolean wide, boolean calibrate,
                       double contrastive, double metaRm) {
        this(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, calibrate, contrastive, metaRm, false);
    }

    public TrainConfig {
        if (contrastive < 0 || metaRm < 0) {
            throw new IllegalArgumentException("contrastive weight and MetaRM step size must be >= 0");
        }
        if (wide && (contrastive > 0 || metaRm > 0)) {
            throw new IllegalArgumentException("wide heads do not combine with the contrastive loss or MetaRM");
        }
        if (heads < 1 || hidden < 1 || epochs < 1 || batch < 1 || lr <= 0 || weightDecay < 0 || dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("invalid training config: heads, hidden, epochs, batch >= 1; lr > 0; "
                    + "weightDecay >= 0; 0 <= dropout < 1");
        }
    }

    public TrainConfig withSwitches(LossSwitches s) {
        return new TrainConfig(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, s, wide, calibrate, contrastive, metaRm, fusion);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(heads, hidden, e, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, calibrate, contrastive, metaRm, fusion);
    }

    public TrainConfig withHeads(int h) {
        return new TrainConfig(h, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, calibrate, contrastive, metaRm, fusion);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, s, switches, wide, calibrate, contrastive, metaRm, fusion);
    }

    public TrainConfig withWide(boolean w) {
        return new TrainConfig(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, w, calibrate, contrastive, metaRm, fusion);
    }

    public TrainConfig withCalibrate(boolean c) {
        return new TrainConfig(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, c, contrastive, metaRm, fusion);
    }

    public TrainConfig withContrastive(double weight) {
        return new TrainConfig(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, calibrate, weight, metaRm, fusion);
    }

    public TrainConfig withMetaRm(double step) {
        return new TrainConfig(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, calibrate, contrastive, step, fusion);
    }

    public TrainConfig withFusion(boolean f) {
        return new TrainConfig(heads, hidden, epochs, batch, lr, weightDecay, dropout, bootstrap, seed, switches, wide, calibrate, contrastive, metaRm, f);
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heads", heads);
        m.put("hidden", hidden);
        m.put("epochs", epochs);
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("dropout", dropout);
        m.put("bootstrap", bootstrap);
        m.put("seed", seed);
        m.put("wide", wide);
        m.put("calibrate", calibrate);
        m.put("contrastive", contrastive);
        m.put("meta_rm", metaRm);
        m.put("fusion", fusion);
        m.put("loss", switches.describe());
        return m;
    }
}
