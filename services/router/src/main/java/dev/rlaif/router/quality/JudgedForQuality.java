package dev.rlaif.router.quality;

import java.util.List;

/**
 * What the quality observer remembers of a pair sent to humans with a usable LLM verdict: value of the store
 * {@code router-quality-judged}, keyed by pair id.
 *
 * @param labelIds human labels already counted (a repeated label id is a duplicate)
 */
public record JudgedForQuality(String judgeModel, String promptVersion, double confidence, String verdict, boolean audit,
                               List<String> labelIds) {
}
