package dev.rlaif.labeling.gold;

import dev.rlaif.common.stats.Wilson;

/**
 * One annotator's answers on gold items: how many, how many right, and the accuracy with its 95% Wilson interval.
 */
public record GoldScore(String annotatorId, long answered, long correct) {

    /** Whether an answer (in the pair's terms: A, B or TIE) matches the gold side; a tie is never right. */
    public static boolean isCorrect(String pairChoice, String betterSide) {
        return pairChoice.equals(betterSide);
    }

    public GoldScore plus(boolean right) {
        return new GoldScore(annotatorId, answered + 1, correct + (right ? 1 : 0));
    }

    /** Accuracy, NaN before the first answer. */
    public double accuracy() {
        return answered == 0 ? Double.NaN : correct / (double) answered;
    }

    public double[] interval() {
        return Wilson.of(correct, answered);
    }
}
