package dev.rlaif.common.consume;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Tells which {@link Failure} an error is, by the step it happened in. */
@FunctionalInterface
public interface FailureClassifier {

    /** Where in a record's life the error happened. */
    enum Stage {
        /** the handler computing the outputs */
        HANDLE,
        /** writing outputs or a dead letter to Kafka */
        WRITE
    }

    Failure classify(Stage stage, Throwable error);

    /**
     * The default. Handler: {@link RetriableFailure} and Kafka's retriable errors are retriable,
     * {@link ServiceFailure} is fatal for the service, anything else (a {@link RecordFailure}, a bug on one
     * record's content) is fatal for the record. Write: a record that can never be written (too large,
     * unserializable) is fatal for the record; Kafka's retriable errors (timeouts after the producer's own retries,
     * not enough replicas) are retriable; the rest (authorization, fencing, unknown) is fatal for the service.
     */
    static FailureClassifier standard() {
        return (stage, error) -> {
            Throwable e = unwrap(error);
            if (e instanceof ServiceFailure) {
                return Failure.FATAL_FOR_SERVICE;
            }
            if (e instanceof RecordFailure) {
                return Failure.FATAL_FOR_RECORD;
            }
            if (e instanceof RetriableFailure) {
                return Failure.RETRIABLE;
            }
            if (stage == Stage.WRITE) {
                if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException
                        || e instanceof SerializationException || e instanceof InvalidTopicException) {
                    return Failure.FATAL_FOR_RECORD;
                }
                if (e instanceof AuthorizationException || e instanceof AuthenticationException
                        || e instanceof ProducerFencedException) {
                    return Failure.FATAL_FOR_SERVICE;
                }
                return e instanceof RetriableException ? Failure.RETRIABLE : Failure.FATAL_FOR_SERVICE;
            }
            return e instanceof RetriableException ? Failure.RETRIABLE : Failure.FATAL_FOR_RECORD;
        };
    }

    /**
     * Whether a serializer failed because of the schema registry rather than the record: an I/O error, or an error
     * answer of the registry's client (Apicurio's Kiota {@code ApiException}, e.g. the 409 two writers get when they
     * register the same schema at the same moment). Such a failure is retriable (the registry is a dependency); a
     * record that cannot be encoded (an Avro type error) is not, and is dead-lettered. On the write side even a 404
     * is the registry's: the writer registers or looks up its own schema, so a 404 there is a registration another
     * writer has not finished (or a registry that lost its data), never a fault of the record.
     */
    public static boolean fromSchemaRegistry(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof java.io.IOException) {
                return true;
            }
            for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
                if (c.getName().equals("com.microsoft.kiota.ApiException")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the schema registry, not the record, is why a record could not be encoded or decoded: an I/O error on
     * the way to it, or an answer that says "try again" (409 on a concurrent registration, 429, 5xx). A 404 for an
     * unknown schema id is the record's fault (its bytes name a schema no registry holds): that one is not included,
     * so such a record is still dead-lettered instead of stopping its partition.
     */
    public static boolean registryUnavailable(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof java.io.IOException) {
                return true;
            }
            if (e instanceof com.microsoft.kiota.ApiException api) {
                int status = api.getResponseStatusCode();
                return status == 409 || status == 429 || status >= 500;
            }
        }
        return false;
    }

    /** The error inside {@link CompletionException} and {@link ExecutionException} wrappers. */
    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
