package dev.rlaif.common.consume;

/**
 * Thrown by a handler for a record that can never be processed (invalid content): the record goes to the DLQ with
 * this message as its reason.
 */
public class RecordFailure extends RuntimeException {

    public RecordFailure(String reason) {
        super(reason);
    }

    public RecordFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
