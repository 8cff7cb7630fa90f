package dev.rlaif.rm.train;

import dev.rlaif.schema.PreferenceSource;

/**
 * Per-pair weight by who labeled it (Secrets of RLHF II weighs data by reliability): humans and human-confirmed
 * AI labels weigh 1, product users 0.7, AI-only labels 0.5 scaled up to 1 by the judge's confidence.
 */
public final class SourceWeights {

    private SourceWeights() {
    }

    public static float weight(PreferenceSource source, Double aiConfidence) {
        if (source == null) {
            return 1f;
        }
        return switch (source) {
            case HUMAN, AI_HUMAN -> 1f;
            case USER -> 0.7f;
            case AI -> (float) (0.5 + 0.5 * (aiConfidence == null ? 0 : Math.max(0, Math.min(1, aiConfidence))));
        };
    }
}
