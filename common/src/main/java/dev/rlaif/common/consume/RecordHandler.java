package dev.rlaif.common.consume;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What a service does with each record of its topic, on a {@link ConsumerRuntime}: returns the records to write
 * (possibly later, for asynchronous work). The runtime writes them and advances the offset only once they are
 * acknowledged. Failures are thrown (or returned as a failed stage) and classified by the runtime's
 * {@link FailureClassifier}; {@link RecordFailure}, {@link RetriableFailure} and {@link ServiceFailure} say what
 * they mean explicitly.
 */
public interface RecordHandler<V> {

    /** Called on the runtime's thread; the stage may complete on any thread. */
    CompletionStage<List<Output>> handle(Input<V> input) throws Exception;

    /**
     * Called on the runtime's thread after each poll (work not tied to one record: a training round). A thrown
     * exception is fatal for the service; a handler with retriable work keeps its own bounded budget.
     */
    default void tick(ConsumerRuntime.Control control) throws Exception {
    }
}
