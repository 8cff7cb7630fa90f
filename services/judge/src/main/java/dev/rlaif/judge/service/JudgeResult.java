package dev.rlaif.judge.service;

import dev.rlaif.schema.Critique;
import dev.rlaif.schema.Judgment;

import java.util.List;

/**
 * A judged pair: the Judgment for the {@code judgments} topic, and the critiques this judgment produced first
 * (not those taken from the cache) for the {@code critiques} topic.
 */
public record JudgeResult(Judgment judgment, List<Critique> freshCritiques) {

    public JudgeResult {
        freshCritiques = List.copyOf(freshCritiques);
    }
}
