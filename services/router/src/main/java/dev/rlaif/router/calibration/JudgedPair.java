package dev.rlaif.router.calibration;

import java.util.List;

/**
 * What the router remembers of a pair it sent to humans with a usable AI verdict (audits and low-confidence pairs),
 * so the human labels that come back can be scored against the AI: value of the store {@code router-judged}.
 *
 * @param judgeModel judge model
 * @param confidence the judge's confidence
 * @param verdict    the judge's verdict (A, B or TIE)
 * @param labelIds   human labels already counted (a repeated label id is a duplicate)
 */
public record JudgedPair(String judgeModel, double confidence, String verdict, List<String> labelIds) {
}
