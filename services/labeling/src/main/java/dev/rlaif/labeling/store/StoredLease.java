package dev.rlaif.labeling.store;

/**
 * A lease row: a task handed to one annotator until {@code expiresAt}, with the order the responses were shown in.
 *
 * @param order "AB" (pair's A shown on the left) or "BA"
 * @param state ACTIVE (expired when past expiresAt), RELEASED, SKIPPED or SUBMITTED
 */
public record StoredLease(String leaseId, String escalationId, String annotatorId, String order, long issuedAt,
                          long expiresAt, String state) {

    public StoredLease withState(String newState) {
        return new StoredLease(leaseId, escalationId, annotatorId, order, issuedAt, expiresAt, newState);
    }
}
