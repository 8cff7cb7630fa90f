package dev.rlaif.rm.eval;

import dev.rlaif.rm.BowWeights;
import dev.rlaif.rm.EnsembleMath;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.rm.feature.Lexical;
import dev.rlaif.rm.train.BowLogistic;

import java.util.List;

/**
 * The reference the reward model has to beat: a hashed bag-of-words (unigrams + bigrams of the response, 2^18
 * buckets, binary) pairwise logistic regression, {@code P(chosen wins) = sigmoid(w . (x_chosen - x_rejected))},
 * with its learning rate and epochs chosen by cross-validation inside its training pairs ({@link BowLogistic}).
 */
public final class BowBaseline {

    public static final int BUCKETS = FeatureSpec.DEFAULT_BOW_BUCKETS;
    private final BowWeights weights;
    private final BowLogistic.Tuning tuning;

    private BowBaseline(BowWeights weights, BowLogistic.Tuning tuning) {
        this.weights = weights;
        this.tuning = tuning;
    }

    /** Trained on all pairs with the (lr, epochs) that won a 3-fold CV inside them. */
    public static BowBaseline train(List<LabeledPair> pairs) {
        BowLogistic.Fit fit = BowLogistic.fit(pairs.stream().map(BowBaseline::terms).toList(), BUCKETS, null);
        return new BowBaseline(fit.weights(), fit.tuning());
    }

    public BowLogistic.Tuning tuning() {
        return tuning;
    }

    /** Probability that the pair's labeled winner wins. */
    public double pChosen(LabeledPair p) {
        return EnsembleMath.sigmoid(weights.score(Lexical.hashedTerms(p.chosen(), BUCKETS))
                - weights.score(Lexical.hashedTerms(p.rejected(), BUCKETS)));
    }

    private static BowLogistic.TermPair terms(LabeledPair p) {
        return new BowLogistic.TermPair(Lexical.hashedTerms(p.chosen(), BUCKETS), Lexical.hashedTerms(p.rejected(), BUCKETS), 1f);
    }
}
