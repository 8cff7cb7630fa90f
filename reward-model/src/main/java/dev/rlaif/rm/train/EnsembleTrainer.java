package dev.rlaif.rm.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.rlaif.rm.EnsembleMath;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.feature.FeatureSpec;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;
import org.apache.commons.math3.optim.univariate.UnivariatePointValuePair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains an ensemble of M MLP reward heads with DJL on the PyTorch engine (CPU) and exports them as
 * {@link EnsembleWeights}. Each head sees all pairs in its own order, with its own initialisation and dropout
 * (or, with {@link TrainConfig#bootstrap()}, its own bootstrap resample); chosen and rejected responses go through
 * the same head in one batch, and {@link BradleyTerryLoss} compares them. A bag-of-words head ({@link BowLogistic})
 * and a temperature can be added (see {@link #train(List, FeatureSpec, BowLogistic.Tuning, Progress)}).
 *
 * <p>When a loss switch needs preference strengths ({@link LossSwitches#needsStrength()}), a first stage trains a
 * plain ensemble; each pair's strength is its mean margin (out-of-bag with bootstrapped heads); the second stage
 * trains with margins, smoothed targets and flipped pairs derived from those strengths.
 */
public final class EnsembleTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(EnsembleTrainer.class);

    /** Called after each optimiser step. */
    public interface Progress {
        void step();

        Progress NONE = () -> { };
    }

    /**
     * The trained ensemble, what the switches did, the bag-of-words head's setting (null without one), and the
     * temperature its rewards were scaled by (1 when not calibrated).
     */
    public record Result(EnsembleWeights weights, int flipped, int smoothed, double meanMargin, double seconds,
                         BowLogistic.Tuning bowTuning, double temperature) {
    }

    /** Fewest pairs for which a fifth is held out to fit the temperature. */
    public static final int MIN_CALIBRATION_PAIRS = 100;
    private static final int CALIBRATION_FOLD = 5;

    static {
        // no model zoo or engine download is ever wanted: the PyTorch natives come from the classpath
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /** Temperature of the contrastive loss's similarities (SimCSE uses 0.05 on 768-d sentence vectors). */
    static final float CONTRASTIVE_TAU = 0.1f;

    private final TrainConfig config;
    private final List<PairFeatures> shifted;
    /** Late fusion: per head group, the input columns its heads see ({@link FusionGroups}); null = all columns. */
    private final int[][] groups;

    public EnsembleTrainer(TrainConfig config) {
        this(config, List.of(), null);
    }

    private EnsembleTrainer(TrainConfig config, List<PairFeatures> shifted, int[][] groups) {
        this.config = config;
        this.shifted = shifted;
        this.groups = groups;
    }

    /**
     * The trainer for a config, with its fusion groups when the config asks for late fusion
     * ({@link TrainConfig#fusion()}): computed from the feature layout and the encoder's parts.
     *
     * @param partDims the encoder's parts' sizes ({@link dev.rlaif.rm.encode.TextEncoder#partDimensions()})
     */
    public static EnsembleTrainer of(TrainConfig config, FeatureSpec spec, int[] partDims) {
        EnsembleTrainer t = new EnsembleTrainer(config);
        return config.fusion() ? t.withFusionGroups(FusionGroups.columns(spec, partDims)) : t;
    }

    /** The same trainer whose head h sees only the columns {@code columns[h % columns.length]} (late fusion). */
    public EnsembleTrainer withFusionGroups(int[][] columns) {
        if (config.heads() % columns.length != 0) {
            throw new IllegalArgumentException("late fusion over " + columns.length + " encoders needs a multiple of "
                    + columns.length + " heads, not " + config.heads());
        }
        return new EnsembleTrainer(config, shifted, columns);
    }

    /**
     * The same trainer with unlabeled samples of the shifted distribution for MetaRM ({@link TrainConfig#metaRm()}):
     * pairs of responses to the same prompt (which is chosen and which rejected does not matter), e.g. the policy's
     * current generations or the pairs of another domain.
     */
    public EnsembleTrainer withShifted(List<PairFeatures> samples) {
        return new EnsembleTrainer(config, List.copyOf(samples), groups);
    }

    /** Optimiser steps a call to {@link #train} makes for {@code n} pairs (for progress bars). */
    public long totalSteps(int n) {
        long steps = stepsUncalibrated(n);
        return config.calibrate() && n >= MIN_CALIBRATION_PAIRS ? steps + stepsUncalibrated(n - n / CALIBRATION_FOLD) : steps;
    }

    private long stepsUncalibrated(int n) {
        long perHead = (long) config.epochs() * ((n + config.batch() - 1) / config.batch());
        return perHead * config.heads() * (config.switches().needsStrength() ? 2 : 1);
    }

    /**
     * Trains the MLP heads and, when the spec has one, the bag-of-words head ({@link BowLogistic} on the pairs'
     * terms, with the pair weights; its loss is plain Bradley-Terry: the switches act on the MLP heads). The two
     * are trained apart and added: every head's reward is its MLP's output plus the bag-of-words score. When the
     * config says calibrate and there are at least {@link #MIN_CALIBRATION_PAIRS} pairs, the rewards are then
     * scaled by a temperature fitted on a held-out fifth (see the body; it costs a second training on 80%).
     *
     * @param reuse the bag-of-words head's setting from an earlier round, reused while it fits
     *              ({@link BowLogistic.Tuning#fits}); null to tune
     */
    public Result train(List<PairFeatures> pairs, FeatureSpec spec, BowLogistic.Tuning reuse, Progress progress) {
        Result full = trainUncalibrated(pairs, spec, reuse, progress);
        if (!config.calibrate() || pairs.size() < MIN_CALIBRATION_PAIRS) {
            return full;
        }
        // Calibration: the same training on four fifths of the pairs, its margins on the last fifth, the temperature
        // that minimises their log loss, folded into the full model's rewards. The MLP heads and the bag-of-words
        // head each fit the labels, and their sum counts shared evidence twice: without this the model is
        // over-confident (ECE 0.10 on HH-RLHF held-out pairs).
        long t0 = System.nanoTime();
        List<PairFeatures> fit = new ArrayList<>();
        List<PairFeatures> held = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            (i % CALIBRATION_FOLD == CALIBRATION_FOLD - 1 ? held : fit).add(pairs.get(i));
        }
        Result probe = new EnsembleTrainer(config.withSeed(config.seed() + 7919), shifted, groups).trainUncalibrated(fit, spec, full.bowTuning(), progress);
        double[][] margins = new double[held.size()][];
        for (int i = 0; i < margins.length; i++) {
            PairFeatures p = held.get(i);
            float[] rc = probe.weights().rewards(p.chosen(), p.chosenTerms());
            float[] rr = probe.weights().rewards(p.rejected(), p.rejectedTerms());
            margins[i] = new double[rc.length];
            for (int h = 0; h < rc.length; h++) {
                margins[i][h] = rc[h] - rr[h];
            }
        }
        double t = temperature(margins);
        double seconds = full.seconds() + (System.nanoTime() - t0) / 1e9;
        return new Result(full.weights().scaled((float) t), full.flipped(), full.smoothed(), full.meanMargin() * t, seconds,
                full.bowTuning(), t);
    }

    /**
     * The temperature t in [0.05, 7.4] minimising {@code -sum_i log mean_h sigmoid(t * d_ih)} over held-out margins
     * (Brent's method over log t; the loss is unimodal in t for any fixed margins that are not all zero).
     */
    static double temperature(double[][] margins) {
        java.util.function.DoubleUnaryOperator loss = logT -> {
            double t = Math.exp(logT);
            double sum = 0;
            for (double[] d : margins) {
                double p = 0;
                for (double x : d) {
                    p += EnsembleMath.sigmoid(t * x);
                }
                sum -= Math.log(Math.max(1e-12, p / d.length));
            }
            return sum;
        };
        UnivariatePointValuePair best = new BrentOptimizer(1e-6, 1e-9).optimize(new MaxEval(500),
                new UnivariateObjectiveFunction(loss::applyAsDouble), GoalType.MINIMIZE,
                new SearchInterval(Math.log(0.05), Math.log(7.4)));
        return Math.exp(best.getPoint());
    }

    private Result trainUncalibrated(List<PairFeatures> pairs, FeatureSpec spec, BowLogistic.Tuning reuse, Progress progress) {
        Result mlp = train(pairs, spec.lexicalOffset(), progress);
        if (spec.bowBuckets() == 0) {
            return mlp;
        }
        long t0 = System.nanoTime();
        BowLogistic.Fit fit = BowLogistic.fit(pairs.stream().map(p -> new BowLogistic.TermPair(p.chosenTerms(), p.rejectedTerms(),
                config.switches().sourceWeighting() ? p.weight() : 1f)).toList(), spec.bowBuckets(), reuse);
        double seconds = mlp.seconds() + (System.nanoTime() - t0) / 1e9;
        return new Result(mlp.weights().withBow(fit.weights()), mlp.flipped(), mlp.smoothed(), mlp.meanMargin(), seconds, fit.tuning(), 1.0);
    }

    /**
     * Trains the MLP heads only.
     *
     * @param pairs      training pairs (raw features)
     * @param denseDims  the first {@code denseDims} dimensions are standardised; the rest (sparse lexical
     *                   indicators) are left as they are
     */
    public Result train(List<PairFeatures> pairs, int denseDims, Progress progress) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no training pairs");
        }
        long t0 = System.nanoTime();
        int dim = pairs.get(0).chosen().length;
        float[] mean = new float[dim];
        float[] std = new float[dim];
        standardisation(pairs, denseDims, mean, std);
        int n = pairs.size();
        float[] xc = new float[n * dim];
        float[] xr = new float[n * dim];
        for (int i = 0; i < n; i++) {
            standardise(pairs.get(i).chosen(), mean, std, xc, i * dim);
            standardise(pairs.get(i).rejected(), mean, std, xr, i * dim);
        }
        float[] weights = new float[n];
        for (int i = 0; i < n; i++) {
            weights[i] = config.switches().sourceWeighting() ? pairs.get(i).weight() : 1f;
        }
        float[] targets = new float[n];
        float[] margins = new float[n];
        boolean[] flip = new boolean[n];
        Arrays.fill(targets, 1f);
        int flipped = 0;
        int smoothed = 0;
        double meanMargin = Double.NaN;
        LossSwitches sw = config.switches();
        Random random = new Random(config.seed());
        int[][] samples = samples(n, random);

        if (config.fusion() && groups == null) {
            throw new IllegalStateException("late fusion needs the heads' input groups: build the trainer with EnsembleTrainer.of");
        }
        int[][] cols = groups != null ? groups : new int[][] {IntStream.range(0, dim).toArray()};
        for (int[] c : cols) {
            if (c.length == 0 || c[c.length - 1] >= dim) {
                throw new IllegalArgumentException("fusion groups do not fit " + dim + " features");
            }
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Engine.getEngine("PyTorch").setRandomSeed((int) config.seed());
            // per head group, its input columns of the chosen rows then the rejected rows (all columns without fusion)
            NDArray[] allByGroup = new NDArray[cols.length];
            NDArray[] shiftedByGroup = new NDArray[cols.length];
            float[] sa = null;
            float[] sb = null;
            int ks = shifted.size();
            if (config.metaRm() > 0 && !shifted.isEmpty()) {
                sa = new float[ks * dim];
                sb = new float[ks * dim];
                for (int i = 0; i < ks; i++) {
                    standardise(shifted.get(i).chosen(), mean, std, sa, i * dim);
                    standardise(shifted.get(i).rejected(), mean, std, sb, i * dim);
                }
            }
            for (int g = 0; g < cols.length; g++) {
                allByGroup[g] = manager.create(select(xc, xr, n, dim, cols[g]), new Shape(2L * n, cols[g].length));
                if (sa != null) {
                    shiftedByGroup[g] = manager.create(select(sa, sb, ks, dim, cols[g]), new Shape(2L * ks, cols[g].length));
                }
            }
            this.shiftedByGroup = shiftedByGroup;
            this.allByGroup = allByGroup;
            this.cols = groups == null ? null : cols;
            if (sw.needsStrength()) {
                List<float[][]> stage1 = trainHeads(manager, n, dim, samples, targets, margins, weights, flip, random, progress);
                double[] strength = outOfBagStrength(stage1, xc, xr, dim, samples, mean.length);
                meanMargin = Arrays.stream(strength).average().orElse(0);
                Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
                if (sw.flipShare() > 0) {
                    Arrays.sort(order, Comparator.comparingDouble(i -> strength[i]));
                    int k = (int) Math.floor(sw.flipShare() * n);
                    for (int j = 0; j < k; j++) {
                        if (strength[order[j]] < 0) {
                            flip[order[j]] = true;
                            flipped++;
                        }
                    }
                }
                if (sw.smoothing() > 0) {
                    Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(strength[i])));
                    int k = (int) Math.floor(sw.weakShare() * n);
                    for (int j = 0; j < k; j++) {
                        targets[order[j]] = (float) (1 - sw.smoothing());
                        smoothed++;
                    }
                }
                if (sw.marginScale() > 0) {
                    for (int i = 0; i < n; i++) {
                        double s = flip[i] ? -strength[i] : strength[i];
                        margins[i] = (float) (sw.marginScale() * Math.max(0, Math.min(3, s)));
                    }
                }
            }
            List<float[][]> heads = trainHeads(manager, n, dim, samples, targets, margins, weights, flip, random, progress);
            EnsembleWeights ew = export(heads, mean, std);
            double seconds = (System.nanoTime() - t0) / 1e9;
            LOG.debug("Trained {} heads on {} pairs in {} s ({} flipped, {} smoothed)", config.heads(), n, seconds, flipped, smoothed);
            return new Result(ew, flipped, smoothed, meanMargin, seconds, null, 1.0);
        }
    }

    /** The standardised shifted samples of the current head's group in the current {@link #train} call (rows a..., then b...), or null. */
    private NDArray shiftedArray;
    /** Of the current {@link #train} call, per head group: the training rows, the shifted rows, the columns (null without fusion). */
    private NDArray[] allByGroup;
    private NDArray[] shiftedByGroup;
    private int[][] cols;

    /** Rows {@code a[0..n)} then {@code b[0..n)} (each {@code dim} wide), keeping the columns {@code keep}. */
    private static float[] select(float[] a, float[] b, int n, int dim, int[] keep) {
        int w = keep.length;
        float[] out = new float[2 * n * w];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < w; c++) {
                out[i * w + c] = a[i * dim + keep[c]];
                out[(n + i) * w + c] = b[i * dim + keep[c]];
            }
        }
        return out;
    }

    /** A head trained on the columns {@code keep} as a head over all {@code dim} columns: zero weights elsewhere. */
    private static float[][] expand(float[][] packed, int[] keep, int dim) {
        int units = packed.length - 3;
        float[][] out = packed.clone();
        for (int j = 0; j < units; j++) {
            float[] row = new float[dim];
            for (int c = 0; c < keep.length; c++) {
                row[keep[c]] = packed[j][c];
            }
            out[j] = row;
        }
        return out;
    }

    private int[][] samples(int n, Random random) {
        int[][] out = new int[config.heads()][];
        for (int h = 0; h < config.heads(); h++) {
            int[] s = new int[n];
            if (config.bootstrap() && config.heads() > 1) {
                for (int i = 0; i < n; i++) {
                    s[i] = random.nextInt(n);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    s[i] = i;
                }
            }
            out[h] = s;
        }
        return out;
    }

    /** Per head: {W1 [hidden][dim] rows..., b1, w2, b2} packed as float[hidden + 3][]. */
    private List<float[][]> trainHeads(NDManager manager, int allSize, int dim, int[][] samples,
                                       float[] targets, float[] margins, float[] weights, boolean[] flip,
                                       Random random, Progress progress) {
        List<float[][]> heads = new ArrayList<>();
        for (int h = 0; h < config.heads(); h++) {
            int g = FusionGroups.groupOf(h, allByGroup.length);
            shiftedArray = shiftedByGroup[g];
            NDArray all = allByGroup[g];
            float[][] head = trainHead(manager, all, allSize, (int) all.getShape().get(1), samples[h], targets, margins, weights, flip, random, progress);
            heads.add(cols == null ? head : expand(head, cols[g], dim));
        }
        return heads;
    }

    private float[][] trainHead(NDManager parent, NDArray all, int allSize, int dim, int[] sample, float[] targets,
                                float[] margins, float[] weights, boolean[] flip, Random random, Progress progress) {
        SequentialBlock mlp = new SequentialBlock()
                .add(Dropout.builder().optRate(config.dropout() / 2).build())
                .add(Linear.builder().setUnits(config.hidden()).build())
                .add(Activation.reluBlock());
        SequentialBlock top = new SequentialBlock()
                .add(Dropout.builder().optRate(config.dropout()).build())
                .add(Linear.builder().setUnits(1).build());
        if (config.contrastive() > 0) {
            // the output is [hidden representation | reward]: the contrastive loss reads the first, Bradley-Terry the last
            mlp.add(new ParallelBlock(outs -> new NDList(outs.get(0).singletonOrThrow().concat(outs.get(1).singletonOrThrow(), 1)),
                    List.of(new ai.djl.nn.LambdaBlock(x -> x), top)));
        } else {
            mlp.addAll(top.getChildren().values());
        }
        Linear linear = config.wide() ? Linear.builder().setUnits(1).build() : null;
        Block block = linear == null ? mlp
                : new ParallelBlock(outs -> new NDList(outs.get(0).singletonOrThrow().add(outs.get(1).singletonOrThrow())),
                        List.of(mlp, linear));
        try (Model model = Model.newInstance("reward-head", "PyTorch")) {
            model.setBlock(block);
            DefaultTrainingConfig tc = new DefaultTrainingConfig(new BradleyTerryLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(config.lr()))
                            .optWeightDecays(config.weightDecay()).build());
            try (Trainer trainer = model.newTrainer(tc)) {
                trainer.initialize(new Shape(1, dim));
                int[] order = sample.clone();
                for (int epoch = 0; epoch < config.epochs(); epoch++) {
                    shuffle(order, random);
                    for (int start = 0; start < order.length; start += config.batch()) {
                        int end = Math.min(order.length, start + config.batch());
                        int[] idx = Arrays.copyOfRange(order, start, end);
                        float[][] delta = shiftedArray == null ? null : metaStep(trainer, parent, idx.length, random);
                        step(trainer, parent, all, allSize, idx, targets, margins, weights, flip, config.contrastive(), config.hidden());
                        if (delta != null) {
                            restore(trainer, delta);
                        }
                        trainer.step();
                        progress.step();
                    }
                }
                return exportHead(mlp, top, linear);
            }
        }
    }

    /**
     * MetaRM's meta-process (Secrets of RLHF II, first-order): on a random batch of shifted pairs, the difference loss
     * {@code J = mean sigmoid(|r(a) - r(b)|)}; the head moves to {@code theta' = theta + eta grad J} (gradient
     * ascent: the reward model is pushed to tell apart the responses of the shifted distribution), the
     * Bradley-Terry gradient is then taken at theta' ({@link #step}) and applied to theta (after {@link #restore}).
     *
     * @return per parameter, the step added (to subtract again)
     */
    private float[][] metaStep(Trainer trainer, NDManager parent, int b, Random random) {
        int k = (int) (shiftedArray.getShape().get(0) / 2);
        int[] rows = new int[2 * b];
        for (int j = 0; j < b; j++) {
            int i = random.nextInt(k);
            rows[j] = i;
            rows[b + j] = k + i;
        }
        List<ai.djl.nn.Parameter> params = trainer.getModel().getBlock().getParameters().values();
        float[][] delta = new float[params.size()][];
        try (NDManager m = parent.newSubManager()) {
            NDArray x = shiftedArray.get(m.create(rows));
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray out = trainer.forward(new NDList(x)).singletonOrThrow();
                if (config.contrastive() > 0) {
                    out = out.get(new ai.djl.ndarray.index.NDIndex(":, {}:", config.hidden()));
                }
                NDList split = out.split(2, 0);
                NDArray j = Activation.sigmoid(split.get(0).sub(split.get(1)).abs()).mean();
                gc.backward(j);
            }
            for (int p = 0; p < params.size(); p++) {
                NDArray w = params.get(p).getArray();
                NDArray g = w.getGradient();
                NDArray step = g.mul((float) config.metaRm());
                delta[p] = step.toFloatArray();
                g.subi(g);
                w.addi(step);
            }
        }
        return delta;
    }

    /** Takes back the meta-process's step: theta' - delta = theta. */
    private static void restore(Trainer trainer, float[][] delta) {
        List<ai.djl.nn.Parameter> params = trainer.getModel().getBlock().getParameters().values();
        for (int p = 0; p < params.size(); p++) {
            NDArray w = params.get(p).getArray();
            try (NDArray d = w.getManager().create(delta[p], w.getShape())) {
                w.subi(d);
            }
        }
    }

    /**
     * One batch's gradient: Bradley-Terry on the rewards, plus, with {@code contrastive > 0}, the SimCSE-style
     * contrastive loss of Secrets of RLHF II on the heads' representations: each pair's representation is the
     * difference of its chosen and rejected responses' hidden layers; two forward passes with independent dropout
     * give two views of every pair; a pair's two views are the positive and the other pairs of the batch the
     * negatives (InfoNCE over cosine similarities / {@link #CONTRASTIVE_TAU}). The optimiser step is the caller's.
     */
    private static void step(Trainer trainer, NDManager parent, NDArray all, int n, int[] idx, float[] targets,
                             float[] margins, float[] weights, boolean[] flip, double contrastive, int hidden) {
        try (NDManager m = parent.newSubManager()) {
            int b = idx.length;
            int[] ci = new int[b];
            int[] ri = new int[b];
            float[] t = new float[b];
            float[] mg = new float[b];
            float[] w = new float[b];
            for (int j = 0; j < b; j++) {
                int i = idx[j];
                // rows 0..n-1 of `all` are chosen responses, rows n..2n-1 rejected ones; flipping swaps them
                ci[j] = flip[i] ? n + i : i;
                ri[j] = flip[i] ? i : n + i;
                t[j] = targets[i];
                mg[j] = margins[i];
                w[j] = weights[i];
            }
            int[] both = new int[2 * b];
            System.arraycopy(ci, 0, both, 0, b);
            System.arraycopy(ri, 0, both, b, b);
            NDArray x = all.get(m.create(both));
            NDList labels = new NDList(m.create(t), m.create(mg), m.create(w));
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray out = trainer.forward(new NDList(x)).singletonOrThrow();
                if (contrastive <= 0) {
                    NDList split = out.split(2, 0);
                    gc.backward(trainer.getLoss().evaluate(labels, split));
                } else {
                    ai.djl.ndarray.index.NDIndex reward = new ai.djl.ndarray.index.NDIndex(":, {}:", hidden);
                    ai.djl.ndarray.index.NDIndex rep = new ai.djl.ndarray.index.NDIndex(":, :{}", hidden);
                    NDArray loss = trainer.getLoss().evaluate(labels, out.get(reward).split(2, 0));
                    NDArray second = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray z1 = pairRepresentation(out.get(rep));
                    NDArray z2 = pairRepresentation(second.get(rep));
                    NDArray logits = z1.matMul(z2.transpose()).div(CONTRASTIVE_TAU);
                    NDArray logp = logits.logSoftmax(1);
                    NDArray infoNce = logp.mul(m.eye(idx.length)).sum().div(-idx.length);
                    gc.backward(loss.add(infoNce.mul((float) contrastive)));
                }
            }
        }
    }

    /** Per pair, the unit vector of (chosen hidden layer - rejected hidden layer); rows: chosen..., rejected.... */
    private static NDArray pairRepresentation(NDArray h) {
        NDList halves = h.split(2, 0);
        NDArray d = halves.get(0).sub(halves.get(1));
        return d.div(d.norm(new int[] {1}, true).add(1e-6f));
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /**
     * Packs a head as {W1 rows..., b1, w2, b2}. A linear part {@code w . z + b} becomes two more hidden units with
     * rows {@code w} and {@code -w}, biases {@code b} and {@code -b} and output weights 1 and -1, since
     * {@code relu(a) - relu(-a) = a}: serving computes exactly the trained function with the plain MLP format.
     */
    private static float[][] exportHead(SequentialBlock mlp, SequentialBlock top, Linear linear) {
        List<Block> children = mlp.getChildren().values();
        Linear l1 = (Linear) children.get(1);
        Linear l2 = (Linear) top.getChildren().values().get(1);
        NDArray w1 = l1.getParameters().get("weight").getArray();
        float[] b1 = l1.getParameters().get("bias").getArray().toFloatArray();
        float[] w2 = l2.getParameters().get("weight").getArray().toFloatArray();
        float b2 = l2.getParameters().get("bias").getArray().toFloatArray()[0];
        int hidden = (int) w1.getShape().get(0);
        int dim = (int) w1.getShape().get(1);
        int units = linear == null ? hidden : hidden + 2;
        float[] flat = w1.toFloatArray();
        float[][] packed = new float[units + 3][];
        for (int j = 0; j < hidden; j++) {
            packed[j] = Arrays.copyOfRange(flat, j * dim, (j + 1) * dim);
        }
        float[] bias = Arrays.copyOf(b1, units);
        float[] out = Arrays.copyOf(w2, units);
        if (linear != null) {
            float[] w = linear.getParameters().get("weight").getArray().toFloatArray();
            float b = linear.getParameters().get("bias").getArray().toFloatArray()[0];
            float[] neg = new float[dim];
            for (int d = 0; d < dim; d++) {
                neg[d] = -w[d];
            }
            packed[hidden] = w;
            packed[hidden + 1] = neg;
            bias[hidden] = b;
            bias[hidden + 1] = -b;
            out[hidden] = 1f;
            out[hidden + 1] = -1f;
        }
        packed[units] = bias;
        packed[units + 1] = out;
        packed[units + 2] = new float[] {b2};
        return packed;
    }

    private EnsembleWeights export(List<float[][]> heads, float[] mean, float[] std) {
        int m = heads.size();
        int hidden = heads.get(0).length - 3;
        float[][][] w1 = new float[m][][];
        float[][] b1 = new float[m][];
        float[][] w2 = new float[m][];
        float[] b2 = new float[m];
        for (int h = 0; h < m; h++) {
            float[][] p = heads.get(h);
            w1[h] = Arrays.copyOfRange(p, 0, hidden);
            b1[h] = p[hidden];
            w2[h] = p[hidden + 1];
            b2[h] = p[hidden + 2][0];
        }
        return new EnsembleWeights(mean, std, w1, b1, w2, b2);
    }

    /** Mean margin over the heads whose bootstrap sample missed the pair (all heads when none did). */
    private double[] outOfBagStrength(List<float[][]> heads, float[] xc, float[] xr, int dim, int[][] samples, int d) {
        int n = xc.length / dim;
        EnsembleWeights identity = export(heads, new float[d], ones(d));
        boolean[][] inBag = new boolean[heads.size()][n];
        for (int h = 0; h < heads.size(); h++) {
            for (int i : samples[h]) {
                inBag[h][i] = true;
            }
        }
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            float[] rc = identity.rewards(Arrays.copyOfRange(xc, i * dim, (i + 1) * dim));
            float[] rr = identity.rewards(Arrays.copyOfRange(xr, i * dim, (i + 1) * dim));
            double sum = 0;
            int k = 0;
            double all = 0;
            for (int h = 0; h < rc.length; h++) {
                all += rc[h] - rr[h];
                if (!inBag[h][i]) {
                    sum += rc[h] - rr[h];
                    k++;
                }
            }
            s[i] = k > 0 ? sum / k : all / rc.length;
        }
        return s;
    }

    private static float[] ones(int d) {
        float[] o = new float[d];
        Arrays.fill(o, 1f);
        return o;
    }

    private static void standardisation(List<PairFeatures> pairs, int denseDims, float[] mean, float[] std) {
        int dim = mean.length;
        double[] s = new double[dim];
        double[] ss = new double[dim];
        int count = 0;
        for (PairFeatures p : pairs) {
            for (float[] x : new float[][] {p.chosen(), p.rejected()}) {
                for (int d = 0; d < denseDims; d++) {
                    s[d] += x[d];
                    ss[d] += (double) x[d] * x[d];
                }
                count++;
            }
        }
        for (int d = 0; d < dim; d++) {
            if (d < denseDims) {
                double mu = s[d] / count;
                double var = Math.max(0, ss[d] / count - mu * mu);
                mean[d] = (float) mu;
                std[d] = (float) Math.max(Math.sqrt(var), 1e-3);
            } else {
                mean[d] = 0f;
                std[d] = 1f;
            }
        }
    }

    private static void standardise(float[] x, float[] mean, float[] std, float[] out, int offset) {
        for (int d = 0; d < x.length; d++) {
            out[offset + d] = (x[d] - mean[d]) / std[d];
        }
    }
}
