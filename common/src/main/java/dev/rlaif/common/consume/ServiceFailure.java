package dev.rlaif.common.consume;

/** Thrown by a handler when the service cannot go on (its store is gone, its retries are spent). */
public class ServiceFailure extends RuntimeException {

    public ServiceFailure(String message, Throwable cause) {
        super(message, cause);
    }

    public ServiceFailure(String message) {
        super(message);
    }
}
