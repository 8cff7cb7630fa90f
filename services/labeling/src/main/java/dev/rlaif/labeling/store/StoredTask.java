package dev.rlaif.labeling.store;

/**
 * A task row: one escalation to be labeled by {@code labelsWanted} distinct annotators.
 *
 * @param request the EscalationRequest in Avro single-object encoding (the pair, the judgment)
 * @param aiVerdict the judge's verdict (A, B, TIE) when the escalation carried one, for AI-agreement stats
 */
public record StoredTask(String escalationId, long seq, String pairId, String reason, double priority,
                         int labelsWanted, Long notBefore, long createdAt, String aiVerdict, byte[] request) {
}
