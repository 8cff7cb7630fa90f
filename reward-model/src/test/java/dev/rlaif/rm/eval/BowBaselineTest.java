package dev.rlaif.rm.eval;

import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.train.BowLogistic;
import dev.rlaif.schema.ChatMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The baseline's settings come from cross-validation inside its training pairs, and it learns a lexical task. */
class BowBaselineTest {

    /** Winner says "sorry i cannot help"-style words; 30% of the labels are flipped (noise to overfit). */
    static List<LabeledPair> noisy(int n, long seed) {
        Random r = new Random(seed);
        List<LabeledPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String filler = "w" + r.nextInt(400) + " w" + r.nextInt(400) + " w" + r.nextInt(400);
            String good = "sorry I cannot help with that " + filler;
            String bad = "here is how to do it " + filler + " w" + r.nextInt(400);
            boolean flip = r.nextDouble() < 0.3;
            out.add(new LabeledPair("p" + seed + "-" + i, List.of(new ChatMessage("user", "q")),
                    flip ? bad : good, flip ? good : bad, null, null, 1f));
        }
        return out;
    }

    @Test
    void tunedBaselineLearnsALexicalRuleThroughLabelNoise() {
        List<LabeledPair> train = noisy(300, 1);
        BowBaseline tuned = BowBaseline.train(train);
        BowLogistic.Tuning best = tuned.tuning();
        assertThat(BowLogistic.LRS).contains(best.lr());
        assertThat(BowLogistic.EPOCHS).contains(best.epochs());
        // the old fixed setting (8 epochs, lr 0.1) is in the grid, so the winner scores at least as well in inner CV
        assertThat(best.accuracy()).isGreaterThanOrEqualTo(0.6);
        List<LabeledPair> test = noisy(200, 2);
        long clean = test.stream().filter(p -> p.chosen().startsWith("sorry")).count();
        long agree = test.stream().filter(p -> (tuned.pChosen(p) > 0.5) == p.chosen().startsWith("sorry")).count();
        // it learned the rule (predicts the refusal wins), whatever the noisy labels say
        assertThat(agree).isGreaterThan(190);
        assertThat(clean).isBetween(120L, 160L);
    }
}
