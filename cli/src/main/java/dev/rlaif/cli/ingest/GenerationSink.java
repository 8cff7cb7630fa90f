package dev.rlaif.cli.ingest;

import dev.rlaif.schema.PolicyGeneration;

import java.util.List;

/** Where {@code ingest} and the demo send generations: the gateway over HTTP, or Kafka directly. */
public interface GenerationSink extends AutoCloseable {

    /** Sends a batch and returns once it was acknowledged; throws with a clear message otherwise. */
    void send(List<PolicyGeneration> batch) throws Exception;

    @Override
    default void close() {
    }
}
