package dev.rlaif.rm;

import java.util.List;

/**
 * A loaded reward-model version: an ensemble of heads over shared features. The trainer, the scorer and the
 * judge's reward-model backend all get one from {@link ModelStore}. Implementations are thread-safe.
 */
public interface RewardModel extends AutoCloseable {

    /** The version id, as in its manifest and RewardModelVersion event. */
    String version();

    /** Number of ensemble heads. */
    int heads();

    /** {@code result[i][h]} is head h's reward for input i. */
    float[][] score(List<ScoringInput> inputs);

    @Override
    void close();
}
