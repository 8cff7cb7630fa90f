package dev.rlaif.labeling.store;

/**
 * One gold item served to one annotator (a row of {@code gold_serves}): the task it was shown as, its lease, the
 * known answer and, once given, the annotator's answer. A gold answer is never a label: it is stored here only.
 *
 * @param betterSide  "A" or "B": the side of the served pair the gold answer prefers (the pair's own terms)
 * @param labelsDone  the labels-done count the task was shown with
 * @param request     the EscalationRequest it was shown as, Avro single-object encoded (same page after a restart)
 * @param order       "AB" or "BA", the shown order, as for a real lease
 * @param state       lease state: ACTIVE, RELEASED, SKIPPED or SUBMITTED
 * @param choice      the answer in the pair's terms, null until answered
 * @param correct     whether the answer matched the gold answer, null until answered
 */
public record StoredGold(String escalationId, String goldId, String annotatorId, String leaseId, String order,
                         long issuedAt, long expiresAt, String state, String betterSide, int labelsDone, byte[] request,
                         String labelId, String shownChoice, String choice, Boolean correct, Long answeredAt,
                         long timeSpentMs, String source) {

    public StoredGold withState(String newState) {
        return new StoredGold(escalationId, goldId, annotatorId, leaseId, order, issuedAt, expiresAt, newState,
                betterSide, labelsDone, request, labelId, shownChoice, choice, correct, answeredAt, timeSpentMs, source);
    }

    public StoredGold answered(String newLabelId, String newShownChoice, String newChoice, boolean isCorrect, long at,
                               long spentMs, String newSource) {
        return new StoredGold(escalationId, goldId, annotatorId, leaseId, order, issuedAt, expiresAt,
                TaskDatabase.SUBMITTED, betterSide, labelsDone, request, newLabelId, newShownChoice, newChoice, isCorrect,
                at, spentMs, newSource);
    }

    public boolean isAnswered() {
        return correct != null;
    }

    /** The lease view of this serve, as a real task's lease would look. */
    public StoredLease lease() {
        return new StoredLease(leaseId, escalationId, annotatorId, order, issuedAt, expiresAt, state);
    }
}
