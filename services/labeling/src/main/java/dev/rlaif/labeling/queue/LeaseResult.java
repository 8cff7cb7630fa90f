package dev.rlaif.labeling.queue;

/** Outcome of ending a lease early (skip or release). */
public enum LeaseResult {
    OK, NOT_FOUND, FORBIDDEN, NOT_ACTIVE
}
