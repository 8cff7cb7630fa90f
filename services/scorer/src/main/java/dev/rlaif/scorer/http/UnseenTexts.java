package dev.rlaif.scorer.http;

import dev.rlaif.rm.MlpRewardModel;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.encode.TextEncoder;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.feature.FeatureSpec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Counts the texts a request would make the encoder embed for the first time: the costly part of scoring (about
 * 850 texts/s on 2 cores for MiniLM), so the scorer caps it per request (413 past the cap) while texts already
 * embedded cost nothing. The texts are those {@link FeatureExtractor} encodes: the response, the prompt's text (its
 * last user turn, or the dialogue the model's {@code promptContext} names), the join of last user turn and response
 * when the model's features use it, and a critique's summary when they use critiques.
 */
final class UnseenTexts {

    private UnseenTexts() {
    }

    static int count(RewardModel model, TextEncoder encoder, List<ScoringInput> inputs) {
        FeatureSpec spec = model instanceof MlpRewardModel m ? m.manifest().features() : null;
        boolean joint = spec == null || spec.joint();
        boolean critique = spec == null || spec.critique();
        String context = spec == null ? FeatureSpec.LAST_TURN : spec.promptContext();
        Set<String> texts = new HashSet<>();
        for (ScoringInput in : inputs) {
            String response = in.response() == null ? "" : in.response();
            String turn = FeatureExtractor.lastUserTurn(in.prompt());
            texts.add(response);
            texts.add(FeatureExtractor.promptText(in.prompt(), context));
            if (joint) {
                texts.add(turn + "\n" + response);
            }
            if (critique && in.critique() != null && in.critique().getSummary() != null) {
                texts.add(in.critique().getSummary());
            }
        }
        if (!(encoder instanceof EmbeddingCache cache)) {
            return texts.size();
        }
        int unseen = 0;
        for (String t : texts) {
            if (!cache.contains(t)) {
                unseen++;
            }
        }
        return unseen;
    }
}
