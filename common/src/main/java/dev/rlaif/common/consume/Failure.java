package dev.rlaif.common.consume;

/** What a failure means for the runtime (Kafka Connect's and Debezium's three classes). */
public enum Failure {
    /** Transient: try the same step again after a backoff, a bounded number of times. */
    RETRIABLE,
    /** This record can never succeed: it goes to {@code <topic>.dlq} with the reason, and the runtime goes on. */
    FATAL_FOR_RECORD,
    /** The service cannot go on: the loop stops, health turns DOWN, and the process should exit non-zero. */
    FATAL_FOR_SERVICE
}
