package dev.rlaif.labeling.queue;

import dev.rlaif.labeling.store.StoredLabel;

/**
 * What became of a submitted label.
 *
 * @param status  the outcome
 * @param label   the stored label (ACCEPTED, ACCEPTED_LATE, DUPLICATE), else null
 * @param message a sentence for the annotator
 * @param gold    the answer was on a gold item: scored and stored, never published (the annotator is not told)
 */
public record SubmitResult(Status status, StoredLabel label, String message, boolean gold) {

    public SubmitResult(Status status, StoredLabel label, String message) {
        this(status, label, message, false);
    }

    public enum Status {
        /** Stored on a live lease. */
        ACCEPTED,
        /** Stored although the lease had expired (or was released): the slot was still free. */
        ACCEPTED_LATE,
        /** The same label_id was already stored: nothing new, the stored label is answered. */
        DUPLICATE,
        /** No such lease. */
        NOT_FOUND,
        /** The lease belongs to another annotator. */
        FORBIDDEN,
        /** Rejected: the slot was taken, the task was already labeled by this annotator, or the label_id is reused. */
        CONFLICT
    }

    public boolean stored() {
        return status == Status.ACCEPTED || status == Status.ACCEPTED_LATE || status == Status.DUPLICATE;
    }

    static SubmitResult gold(Status status, StoredLabel label, String message) {
        return new SubmitResult(status, label, message, true);
    }

    static SubmitResult reject(Status status, String message) {
        return new SubmitResult(status, null, message);
    }
}
