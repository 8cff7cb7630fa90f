package dev.rlaif.rm.train;

import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.rm.eval.PairwiseMetrics;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.schema.ChatMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A small separable task: polite, helpful answers beat rude ones; held-out pairs use unseen wordings. */
class EnsembleTrainerTest {

    static final String[] GOOD = {"happy to help", "here is a clear answer", "sure, the steps are", "thanks for asking",
        "a safe option is", "I recommend checking", "good question, first", "let me explain"};
    static final String[] BAD = {"figure it out yourself", "that is stupid", "go away", "no idea, whatever",
        "I refuse to care", "not my problem", "ask someone else idiot", "boring question"};

    static List<LabeledPair> pairs(int n, long seed, int from, int to) {
        Random r = new Random(seed);
        List<LabeledPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String topic = "topic" + r.nextInt(50);
            String good = GOOD[from + r.nextInt(to - from)] + " about " + topic;
            String bad = BAD[from + r.nextInt(to - from)] + " about " + topic;
            out.add(new LabeledPair("p" + seed + "-" + i, List.of(new ChatMessage("user", "tell me about " + topic)),
                    good, bad, null, null, 1f));
        }
        return out;
    }

    static final FeatureExtractor FX = new FeatureExtractor(new HashingEncoder(32), new FeatureSpec("hashing-32", 32, 64, false, false));

    @Test
    void ensembleRanksHeldOutPairsOfASeparableTask() {
        List<PairFeatures> train = ModelTraining.featurize(FX, pairs(160, 1, 0, 8), k -> { });
        List<PairFeatures> test = ModelTraining.featurize(FX, pairs(60, 2, 0, 8), k -> { });
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(3).withEpochs(15);
        EnsembleTrainer.Result result = new EnsembleTrainer(cfg).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE);
        assertThat(result.weights().heads()).isEqualTo(3);
        PairwiseMetrics m = ModelTraining.evaluate(result.weights(), test);
        assertThat(m.accuracy()).isGreaterThan(0.95);
        assertThat(m.ciLow()).isLessThanOrEqualTo(m.accuracy()).isGreaterThan(0.85);
    }

    @Test
    void flippingSwapsPairsTheFirstStageFindsStronglyWrong() {
        List<LabeledPair> clean = pairs(150, 3, 0, 8);
        List<LabeledPair> noisy = new ArrayList<>(clean);
        for (int i = 0; i < 15; i++) {   // 10% mislabeled pairs
            LabeledPair p = noisy.get(i);
            noisy.set(i, new LabeledPair(p.id(), p.prompt(), p.rejected(), p.chosen(), null, null, 1f));
        }
        List<PairFeatures> train = ModelTraining.featurize(FX, noisy, k -> { });
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(3).withEpochs(10)
                .withSwitches(LossSwitches.PLAIN.withFlip(0.15).withSmoothing(0.1).withMargin(0.5));
        EnsembleTrainer.Result result = new EnsembleTrainer(cfg).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE);
        assertThat(result.flipped()).isBetween(8, 22);
        assertThat(result.smoothed()).isEqualTo(45);
        List<PairFeatures> test = ModelTraining.featurize(FX, pairs(60, 4, 0, 8), k -> { });
        assertThat(ModelTraining.evaluate(result.weights(), test).accuracy()).isGreaterThan(0.9);
    }

    @Test
    void bagOfWordsHeadIsTrainedApartAndAddedToEveryHead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        FeatureExtractor fx = new FeatureExtractor(new HashingEncoder(32), new FeatureSpec("hashing-32", 32, 64, false, false, 1 << 12));
        List<PairFeatures> train = ModelTraining.featurize(fx, pairs(160, 7, 0, 8), k -> { });
        List<PairFeatures> test = ModelTraining.featurize(fx, pairs(60, 8, 0, 8), k -> { });
        assertThat(train.get(0).chosenTerms()).isNotEmpty();
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(3).withEpochs(10);
        EnsembleTrainer.Result result = new EnsembleTrainer(cfg).train(train, fx.spec(), null, EnsembleTrainer.Progress.NONE);
        dev.rlaif.rm.EnsembleWeights w = result.weights();
        assertThat(w.bow()).isNotNull();
        assertThat(w.bow().buckets()).isEqualTo(1 << 12);
        assertThat(result.bowTuning().n()).isEqualTo(160);
        // every head's reward is its MLP's plus the same bag-of-words score
        PairFeatures p = test.get(0);
        float bow = w.bow().score(p.chosenTerms());
        assertThat(bow).isNotZero();
        float[] mlpOnly = w.rewards(p.chosen());
        float[] whole = w.rewards(p.chosen(), p.chosenTerms());
        for (int h = 0; h < 3; h++) {
            assertThat(whole[h]).isCloseTo(mlpOnly[h] + bow, org.assertj.core.data.Offset.offset(1e-5f));
        }
        // the head alone has learned the task: polite words score above rude ones
        long right = test.stream().filter(f -> w.bow().score(f.chosenTerms()) > w.bow().score(f.rejectedTerms())).count();
        assertThat(right).isGreaterThan(54);
        assertThat(ModelTraining.evaluate(w, test).accuracy()).isGreaterThan(0.95);
        // format 2 keeps the head
        java.nio.file.Path file = dir.resolve(dev.rlaif.rm.EnsembleWeights.FILE);
        w.write(file);
        dev.rlaif.rm.EnsembleWeights back = dev.rlaif.rm.EnsembleWeights.read(file);
        assertThat(back.rewards(p.chosen(), p.chosenTerms())).containsExactly(whole);
        assertThat(back.bow().w()).containsExactly(w.bow().w());
    }

    @Test
    void bagOfWordsSettingIsReusedUntilTheBufferDoubles() {
        FeatureExtractor fx = new FeatureExtractor(new HashingEncoder(32), new FeatureSpec("hashing-32", 32, 64, false, false, 1 << 12));
        List<PairFeatures> small = ModelTraining.featurize(fx, pairs(100, 9, 0, 8), k -> { });
        List<PairFeatures> larger = ModelTraining.featurize(fx, pairs(190, 10, 0, 8), k -> { });
        List<PairFeatures> doubled = ModelTraining.featurize(fx, pairs(201, 11, 0, 8), k -> { });
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(1).withEpochs(1);
        BowLogistic.Tuning first = new EnsembleTrainer(cfg).train(small, fx.spec(), null, EnsembleTrainer.Progress.NONE).bowTuning();
        assertThat(first.n()).isEqualTo(100);
        assertThat(new EnsembleTrainer(cfg).train(larger, fx.spec(), first, EnsembleTrainer.Progress.NONE).bowTuning()).isSameAs(first);
        assertThat(new EnsembleTrainer(cfg).train(doubled, fx.spec(), first, EnsembleTrainer.Progress.NONE).bowTuning().n()).isEqualTo(201);
    }

    @Test
    void temperatureUndoesKnownOverConfidence() {
        Random r = new Random(12);
        double[][] margins = new double[6000][];
        for (int i = 0; i < margins.length; i++) {
            double z = 2 * r.nextGaussian();                        // true log-odds that A wins
            boolean aWins = r.nextDouble() < 1 / (1 + Math.exp(-z));
            double d = 3 * (aWins ? z : -z);                        // the model's margin, 3x too confident
            margins[i] = new double[] {d * 0.9, d, d * 1.1};        // three heads
        }
        assertThat(EnsembleTrainer.temperature(margins)).isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(0.04));
    }

    @Test
    void calibrationScalesTheFullModelsRewardsByTheFittedTemperature() {
        FeatureExtractor fx = new FeatureExtractor(new HashingEncoder(32), new FeatureSpec("hashing-32", 32, 64, false, false, 1 << 12));
        List<LabeledPair> noisy = new ArrayList<>(pairs(200, 13, 0, 8));
        for (int i = 0; i < 50; i++) {   // 25% mislabeled, so the held-out fifth has something to calibrate against
            LabeledPair p = noisy.get(i * 4);
            noisy.set(i * 4, new LabeledPair(p.id(), p.prompt(), p.rejected(), p.chosen(), null, null, 1f));
        }
        List<PairFeatures> train = ModelTraining.featurize(fx, noisy, k -> { });
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(2).withEpochs(10);
        EnsembleTrainer.Result plain = new EnsembleTrainer(cfg.withCalibrate(false)).train(train, fx.spec(), null, EnsembleTrainer.Progress.NONE);
        EnsembleTrainer.Result calibrated = new EnsembleTrainer(cfg).train(train, fx.spec(), null, EnsembleTrainer.Progress.NONE);
        assertThat(plain.temperature()).isEqualTo(1.0);
        double t = calibrated.temperature();
        // here the regularised heads are under-confident (t > 1); on HH-RLHF the model is over-confident (t 0.78)
        assertThat(t).isBetween(0.05, 7.4).isNotCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
        PairFeatures p = train.get(1);
        float[] a = plain.weights().rewards(p.chosen(), p.chosenTerms());
        float[] b = calibrated.weights().rewards(p.chosen(), p.chosenTerms());
        for (int h = 0; h < a.length; h++) {
            assertThat((double) b[h]).isCloseTo(t * a[h], org.assertj.core.data.Offset.offset(1e-3 + 1e-3 * Math.abs(a[h])));
        }
        // too few pairs to hold a fifth out: not calibrated
        assertThat(new EnsembleTrainer(cfg).train(train.subList(0, 60), fx.spec(), null, EnsembleTrainer.Progress.NONE).temperature()).isEqualTo(1.0);
    }

    @Test
    void wideAndDeepHeadsExportAsPlainMlpsThatRankHeldOutPairs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        List<PairFeatures> train = ModelTraining.featurize(FX, pairs(160, 5, 0, 8), k -> { });
        List<PairFeatures> test = ModelTraining.featurize(FX, pairs(60, 6, 0, 8), k -> { });
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(2).withEpochs(15).withWide(true);
        EnsembleTrainer.Result result = new EnsembleTrainer(cfg).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE);
        // the linear part is two extra ReLU units (rows w and -w, output weights 1 and -1)
        dev.rlaif.rm.EnsembleWeights w = result.weights();
        assertThat(w.hidden()).isEqualTo(cfg.hidden() + 2);
        int h = cfg.hidden();
        for (int head = 0; head < w.heads(); head++) {
            assertThat(w.w2()[head][h]).isEqualTo(1f);
            assertThat(w.w2()[head][h + 1]).isEqualTo(-1f);
            assertThat(w.b1()[head][h + 1]).isEqualTo(-w.b1()[head][h]);
            for (int d = 0; d < w.inputDim(); d++) {
                assertThat(w.w1()[head][h + 1][d]).isEqualTo(-w.w1()[head][h][d]);
            }
        }
        assertThat(ModelTraining.evaluate(w, test).accuracy()).isGreaterThan(0.95);
        // same file format: a written and re-read model gives the same rewards
        java.nio.file.Path file = dir.resolve(dev.rlaif.rm.EnsembleWeights.FILE);
        w.write(file);
        dev.rlaif.rm.EnsembleWeights back = dev.rlaif.rm.EnsembleWeights.read(file);
        assertThat(back.rewards(test.get(0).chosen())).containsExactly(w.rewards(test.get(0).chosen()));
    }
}
