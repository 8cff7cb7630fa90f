package dev.rlaif.labeling.store;

/**
 * An accepted label row. {@code published} turns true once {@code human-labels} acknowledged it: a label stored but
 * not yet published is re-sent at start (the outbox of the service).
 *
 * @param choice in the pair's own A/B terms
 * @param shownChoice as the annotator saw it (A = left)
 * @param source ANNOTATOR or SIMULATED
 */
public record StoredLabel(String labelId, String escalationId, String pairId, String annotatorId, String choice,
                          String shownChoice, String rationale, String source, long timeSpentMs, long createdAt,
                          String leaseId, boolean published) {

    public StoredLabel asPublished() {
        return new StoredLabel(labelId, escalationId, pairId, annotatorId, choice, shownChoice, rationale, source,
                timeSpentMs, createdAt, leaseId, true);
    }
}
