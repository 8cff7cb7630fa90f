package dev.rlaif.router.quality;

import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Fills a {@link JudgeQuality} from the topics (what {@code ./rlaif calibrate} prints): every LLM judgment with an
 * A/B/TIE verdict (the last one per pair), and every distinct human label of a pair escalated as AUDIT or
 * LOW_CONFIDENCE with such a verdict, scored against it.
 */
public final class OfflineJudgeQuality {

    private OfflineJudgeQuality() {
    }

    public static JudgeQuality compute(JudgeQuality q, Iterable<Judgment> judgments, Iterable<EscalationRequest> escalations,
                                       Iterable<HumanLabel> labels) {
        Map<String, Judgment> last = new HashMap<>();
        for (Judgment j : judgments) {
            if (j.getJudgeType() == JudgeType.LLM && sided(j)) {
                last.put(j.getPairId(), j);
            }
        }
        last.values().forEach(j -> q.judgment(key(j), j.getPositionConsistent(), j.getSamplesDrawn()));
        Map<String, EscalationRequest> judged = new HashMap<>();
        for (EscalationRequest e : escalations) {
            Judgment j = e.getJudgment();
            if ((e.getReason() == EscalationReason.AUDIT || e.getReason() == EscalationReason.LOW_CONFIDENCE)
                    && j != null && j.getJudgeType() == JudgeType.LLM && sided(j)) {
                judged.putIfAbsent(e.getPairId(), e);
            }
        }
        Set<String> seen = new HashSet<>();
        for (HumanLabel l : labels) {
            EscalationRequest e = judged.get(l.getPairId());
            if (e != null && seen.add(l.getLabelId())) {
                Judgment j = e.getJudgment();
                q.humanLabel(key(j), j.getConfidence(), j.getVerdict().name().equals(l.getChoice().name()),
                        e.getReason() == EscalationReason.AUDIT);
            }
        }
        return q;
    }

    public static JudgeQuality.Key key(Judgment j) {
        return new JudgeQuality.Key(j.getJudgeModel(), j.getPromptVersion() == null ? "" : j.getPromptVersion());
    }

    private static boolean sided(Judgment j) {
        return j.getVerdict() == Verdict.A || j.getVerdict() == Verdict.B || j.getVerdict() == Verdict.TIE;
    }
}
