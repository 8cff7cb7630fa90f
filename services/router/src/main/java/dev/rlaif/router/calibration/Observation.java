package dev.rlaif.router.calibration;

/**
 * One human label scored against the AI verdict, on its way (keyed by judge model) to the calibration table.
 *
 * @param confidence the judge's confidence on the pair
 * @param agreed     whether the human chose what the AI chose
 */
public record Observation(double confidence, boolean agreed) {
}
