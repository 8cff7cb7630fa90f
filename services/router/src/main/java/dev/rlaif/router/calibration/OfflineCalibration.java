package dev.rlaif.router.calibration;

import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Builds the calibration table from the topics themselves (what {@code ./rlaif calibrate} does), by the same rule
 * as the router's live table: every distinct human label of a pair escalated as AUDIT or LOW_CONFIDENCE with an
 * A/B/TIE verdict is one observation in the judge model's bucket of the judge's confidence.
 */
public final class OfflineCalibration {

    private OfflineCalibration() {
    }

    public static Calibration compute(Iterable<EscalationRequest> escalations, Iterable<HumanLabel> labels, int buckets) {
        Map<String, Judgment> judged = new HashMap<>();
        for (EscalationRequest e : escalations) {
            Judgment j = e.getJudgment();
            if ((e.getReason() == EscalationReason.AUDIT || e.getReason() == EscalationReason.LOW_CONFIDENCE) && j != null
                    && (j.getVerdict() == Verdict.A || j.getVerdict() == Verdict.B || j.getVerdict() == Verdict.TIE)) {
                judged.putIfAbsent(e.getPairId(), j);
            }
        }
        Calibration c = new Calibration(buckets);
        Set<String> seen = new HashSet<>();
        for (HumanLabel l : labels) {
            Judgment j = judged.get(l.getPairId());
            if (j != null && seen.add(l.getLabelId())) {
                c.record(j.getJudgeModel(), j.getConfidence(), j.getVerdict().name().equals(l.getChoice().name()));
            }
        }
        return c;
    }
}
