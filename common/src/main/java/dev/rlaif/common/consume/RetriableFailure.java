package dev.rlaif.common.consume;

/** Thrown by a handler for a transient failure (a dependency briefly down): the step is retried, boundedly. */
public class RetriableFailure extends RuntimeException {

    public RetriableFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
