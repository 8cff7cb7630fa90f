package dev.rlaif.rm.train;

import dev.rlaif.rm.EnsembleWeights;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.rlaif.rm.train.EnsembleTrainerTest.FX;
import static dev.rlaif.rm.train.EnsembleTrainerTest.pairs;
import static org.assertj.core.api.Assertions.assertThat;

/** The two Secrets-of-RLHF-II switches on the small separable task of {@link EnsembleTrainerTest}. */
class ContrastiveMetaRmTest {

    private static final TrainConfig BASE = TrainConfig.DEFAULT.withHeads(2).withEpochs(12).withCalibrate(false);

    @Test
    void theContrastiveLossTrainsAModelThatStillRanksAndExportsAsAPlainMlp() {
        List<PairFeatures> train = ModelTraining.featurize(FX, pairs(160, 1, 0, 8), k -> { });
        List<PairFeatures> test = ModelTraining.featurize(FX, pairs(60, 2, 0, 8), k -> { });
        EnsembleWeights plain = new EnsembleTrainer(BASE).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE).weights();
        EnsembleWeights cl = new EnsembleTrainer(BASE.withContrastive(0.5)).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE).weights();
        assertThat(cl.hidden()).isEqualTo(plain.hidden());
        assertThat(ModelTraining.evaluate(cl, test).accuracy()).isGreaterThan(0.9);
        // the switch changes the training: the same seed gives other rewards
        assertThat(cl.rewards(test.get(0).chosen())).isNotEqualTo(plain.rewards(test.get(0).chosen()));
    }

    @Test
    void metaRmTrainsWithTheShiftedSamplesAndStillRanks() {
        // shifted samples: unlabeled pairs in wordings the labeled pairs never use
        List<PairFeatures> train = ModelTraining.featurize(FX, pairs(160, 3, 0, 4), k -> { });
        List<PairFeatures> shifted = ModelTraining.featurize(FX, pairs(80, 4, 4, 8), k -> { });
        EnsembleWeights plain = new EnsembleTrainer(BASE).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE).weights();
        EnsembleWeights meta = new EnsembleTrainer(BASE.withMetaRm(1.0)).withShifted(shifted)
                .train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE).weights();
        // the meta-process moved the training: the same seed gives other rewards
        assertThat(meta.rewards(shifted.get(0).chosen())).isNotEqualTo(plain.rewards(shifted.get(0).chosen()));
        List<PairFeatures> test = ModelTraining.featurize(FX, pairs(60, 5, 0, 4), k -> { });
        assertThat(ModelTraining.evaluate(meta, test).accuracy()).isGreaterThan(0.9);
    }

    @Test
    void metaRmWithoutShiftedSamplesIsThePlainModel() {
        List<PairFeatures> train = ModelTraining.featurize(FX, pairs(100, 6, 0, 8), k -> { });
        EnsembleWeights plain = new EnsembleTrainer(BASE).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE).weights();
        EnsembleWeights meta = new EnsembleTrainer(BASE.withMetaRm(1.0)).train(train, FX.spec().lexicalOffset(), EnsembleTrainer.Progress.NONE).weights();
        assertThat(meta.rewards(train.get(0).chosen())).containsExactly(plain.rewards(train.get(0).chosen()));
    }
}
