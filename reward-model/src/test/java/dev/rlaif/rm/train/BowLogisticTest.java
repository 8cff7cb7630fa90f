package dev.rlaif.rm.train;

import dev.rlaif.rm.BowWeights;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The tuning's shortcut (all epoch counts read off one run) must pick what separate runs would pick. */
class BowLogisticTest {

    /** Bucket 0 marks the better response; 35% of labels flipped; random filler buckets to overfit on. */
    static List<BowLogistic.TermPair> noisy(int n, long seed) {
        Random r = new Random(seed);
        List<BowLogistic.TermPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] good = {0, 1 + r.nextInt(300), 1 + r.nextInt(300)};
            int[] bad = {1 + r.nextInt(300), 1 + r.nextInt(300), 1 + r.nextInt(300)};
            boolean flip = r.nextDouble() < 0.35;
            out.add(new BowLogistic.TermPair(flip ? bad : good, flip ? good : bad, 1f));
        }
        return out;
    }

    @Test
    void tuningPicksTheGridPointSeparateRunsRankFirst() {
        List<BowLogistic.TermPair> pairs = noisy(240, 3);
        int buckets = 512;
        double bestAcc = -1;
        double bestLr = 0;
        int bestEpochs = 0;
        for (double lr : BowLogistic.LRS) {
            for (int epochs : BowLogistic.EPOCHS) {
                int correct = 0;
                for (int k = 0; k < BowLogistic.INNER_FOLDS; k++) {
                    List<BowLogistic.TermPair> train = new ArrayList<>();
                    List<BowLogistic.TermPair> test = new ArrayList<>();
                    for (int j = 0; j < pairs.size(); j++) {
                        (j % BowLogistic.INNER_FOLDS == k ? test : train).add(pairs.get(j));
                    }
                    BowWeights w = BowLogistic.train(train, buckets, epochs, lr);
                    for (BowLogistic.TermPair p : test) {
                        correct += w.score(p.chosen()) - w.score(p.rejected()) > 0 ? 1 : 0;
                    }
                }
                double acc = (double) correct / pairs.size();
                if (acc > bestAcc) {
                    bestAcc = acc;
                    bestLr = lr;
                    bestEpochs = epochs;
                }
            }
        }
        BowLogistic.Tuning t = BowLogistic.tune(pairs, buckets);
        assertThat(t.accuracy()).isEqualTo(bestAcc);
        assertThat(t.lr()).isEqualTo(bestLr);
        assertThat(t.epochs()).isEqualTo(bestEpochs);
        assertThat(t.n()).isEqualTo(240);
        // and the fitted head learned the marker through the noise
        BowWeights w = BowLogistic.fit(pairs, buckets, null).weights();
        assertThat(w.w()[0]).isPositive();
    }
}
