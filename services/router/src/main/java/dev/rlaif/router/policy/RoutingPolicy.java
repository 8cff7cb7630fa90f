package dev.rlaif.router.policy;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.VoteCounts;

import java.util.Optional;

/**
 * The routing decision for one judgment, free of Kafka: should it become an AI label, go to humans (and why), or
 * both (an audit). Kept pure so the rules are unit-tested and documented in one place.
 *
 * <p>Order of the checks: the judge could not be reached ({@code JUDGE_UNAVAILABLE}), abstained ({@code ABSTAIN}),
 * gave no usable verdict or mostly unparseable samples ({@code INVALID_OUTPUT}), contradicted itself across the AB
 * and BA orders ({@code POSITION_INCONSISTENT}), or is below the threshold ({@code LOW_CONFIDENCE}). What passes
 * every check is an AI label; of those, the pairs whose {@link PairIds#unitHash} falls below the audit rate are
 * also escalated as {@code AUDIT}.
 */
public final class RoutingPolicy {

    private RoutingPolicy() {
    }

    /**
     * What to do with a judgment.
     *
     * @param aiLabel    write it to ai-labels
     * @param escalation reason to escalate it, if any (AUDIT together with aiLabel)
     */
    public record Decision(boolean aiLabel, Optional<EscalationReason> escalation) {
        static Decision label() {
            return new Decision(true, Optional.empty());
        }

        static Decision audit() {
            return new Decision(true, Optional.of(EscalationReason.AUDIT));
        }

        static Decision escalate(EscalationReason reason) {
            return new Decision(false, Optional.of(reason));
        }
    }

    /** Routes a judgment with the given confidence threshold and audit rate. */
    public static Decision decide(Judgment j, double threshold, double auditRate) {
        switch (j.getVerdict()) {
            case UNAVAILABLE:
                return Decision.escalate(EscalationReason.JUDGE_UNAVAILABLE);
            case ABSTAIN:
                return Decision.escalate(EscalationReason.ABSTAIN);
            case INVALID:
                return Decision.escalate(EscalationReason.INVALID_OUTPUT);
            default:
                break;
        }
        if (mostlyInvalid(j.getVotes())) {
            return Decision.escalate(EscalationReason.INVALID_OUTPUT);
        }
        if (!j.getPositionConsistent()) {
            return Decision.escalate(EscalationReason.POSITION_INCONSISTENT);
        }
        if (Double.isNaN(j.getConfidence()) || j.getConfidence() < threshold) {
            return Decision.escalate(EscalationReason.LOW_CONFIDENCE);
        }
        return isAudited(j.getPairId(), auditRate) ? Decision.audit() : Decision.label();
    }

    /** Whether a confident pair is sampled for audit: deterministic in the pair id. */
    public static boolean isAudited(String pairId, double auditRate) {
        return PairIds.unitHash("audit:" + pairId) < auditRate;
    }

    /**
     * Priority of an escalation: higher is served sooner. Non-audits lie in [1, 2], least confident first
     * ({@code 2 - confidence}); audits in [0, 0.5], always after every other reason.
     */
    public static double priority(EscalationReason reason, double confidence) {
        double c = Double.isNaN(confidence) ? 0 : Math.max(0, Math.min(1, confidence));
        return reason == EscalationReason.AUDIT ? 0.5 * (1 - c) : 2 - c;
    }

    /** More than half of the samples had no parseable verdict. */
    static boolean mostlyInvalid(VoteCounts v) {
        if (v == null) {
            return false;
        }
        int total = v.getA() + v.getB() + v.getTie() + v.getInvalid();
        return total > 0 && v.getInvalid() * 2 > total;
    }
}
