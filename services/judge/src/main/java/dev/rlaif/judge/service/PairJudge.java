package dev.rlaif.judge.service;

import dev.rlaif.schema.ComparisonPair;

import java.util.concurrent.CompletableFuture;

/**
 * Judges one pair asynchronously: the GenRM LLM judge or the reward-model fallback. The future always completes
 * normally with a Judgment (UNAVAILABLE with an error text when the judge could not be reached), so the service
 * never drops a pair; an exceptional completion is a bug, and the service still turns it into UNAVAILABLE.
 */
public interface PairJudge extends AutoCloseable {

    CompletableFuture<JudgeResult> judge(ComparisonPair pair);

    /** What it is, for the start-up log. */
    String describe();

    @Override
    default void close() {
    }
}
