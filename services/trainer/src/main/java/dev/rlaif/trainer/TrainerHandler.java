package dev.rlaif.trainer;

import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.consume.Input;
import dev.rlaif.common.consume.Output;
import dev.rlaif.common.consume.RecordHandler;
import dev.rlaif.common.consume.ServiceFailure;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.trainer.buffer.LabelBuffer;
import dev.rlaif.trainer.round.RoundRunner;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The trainer as a handler of {@code preferences}: each record goes into the {@link LabelBuffer}; a fresh label
 * (past what the newest version was trained on) stays in flight until a round has trained on it and the round's
 * announcement on {@code model-versions} is acknowledged, so the group's committed offsets say what is trained.
 * Rounds run in {@link #tick}, when enough labels wait or the oldest has waited long enough. A failed round is
 * tried again after a backoff (the minimum interval, doubling); after {@code maxRoundFailures} failures in a row
 * the service stops for good (DOWN, exit non-zero) instead of retrying forever.
 */
public final class TrainerHandler implements RecordHandler<PreferenceLabel> {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerHandler.class);

    /** One training round: candidate, evaluation, publication decision. */
    @FunctionalInterface
    public interface Round {
        RoundRunner.Outcome run(List<LabeledPair> train, List<LabeledPair> gold, Map<String, Long> offsets) throws Exception;
    }

    /** What the service wants to know and count of the rounds. */
    public interface Listener {
        default void arrived(List<PreferenceLabel> labels) {
        }

        default void roundDone(RoundRunner.Outcome outcome) {
        }
    }

    private final TrainerConfig config;
    private final Map<String, Long> trained;
    private final Round round;
    private final Listener listener;
    private final int maxRoundFailures;
    private final LongSupplier clock;
    private final LabelBuffer buffer;
    private final List<CompletableFuture<List<Output>>> waiting = new ArrayList<>();
    private final List<PreferenceLabel> arrived = new ArrayList<>();
    private long lastRound;
    private int failures;
    private volatile int pending;
    private volatile boolean busy;
    private volatile boolean caughtUp;

    /**
     * @param trained offsets ("partition" -&gt; next offset) the newest version was trained on: records below are
     *                replayed into the buffer without waiting for a round
     */
    public TrainerHandler(TrainerConfig config, Map<String, Long> trained, Round round, Listener listener,
                          int maxRoundFailures, LongSupplier clock) {
        this.config = config;
        this.trained = trained;
        this.round = round;
        this.listener = listener;
        this.maxRoundFailures = maxRoundFailures;
        this.clock = clock;
        this.buffer = new LabelBuffer(config.holdoutShare(), config.replayMax());
    }

    @Override
    public CompletionStage<List<Output>> handle(Input<PreferenceLabel> in) {
        boolean fresh = in.offset() >= trained.getOrDefault(Integer.toString(in.partition()), 0L);
        PreferenceLabel label = in.value();
        int before = buffer.pending();
        buffer.add(in.partition(), in.offset(), label, fresh, clock.getAsLong());
        pending = buffer.pending();
        if (label != null && !label.getTie() && fresh) {
            arrived.add(label);
        }
        if (buffer.pending() > before) {
            CompletableFuture<List<Output>> f = new CompletableFuture<>();
            waiting.add(f);
            return f;
        }
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public void tick(ConsumerRuntime.Control control) throws Exception {
        if (!arrived.isEmpty()) {
            listener.arrived(List.copyOf(arrived));
            arrived.clear();
        }
        caughtUp = control.caughtUp();
        long now = clock.getAsLong();
        if (!shouldRun(now)) {
            pending = buffer.pending();
            return;
        }
        busy = true;
        try {
            if (buffer.trainable().size() < 2) {
                LOG.info("{} pending labels but fewer than 2 trainable pairs: nothing to train yet", buffer.pending());
            } else {
                RoundRunner.Outcome outcome = round.run(buffer.trainable(), buffer.gold(), offsets(control.positions()));
                control.write(List.of(Output.of(Topics.MODEL_VERSIONS, outcome.event().getVersion(), outcome.event())))
                        .get(60, TimeUnit.SECONDS);
                listener.roundDone(outcome);
            }
            buffer.roundDone();
            waiting.forEach(f -> f.complete(List.of()));
            waiting.clear();
            failures = 0;
        } catch (Exception e) {
            failures++;
            if (failures >= maxRoundFailures) {
                throw new ServiceFailure("training round failed " + failures + " times in a row", e);
            }
            LOG.error("Training round failed ({} of {} in a row); trying again in {} ms", failures, maxRoundFailures,
                    backoffMs(), e);
        } finally {
            lastRound = clock.getAsLong();
            busy = false;
            pending = buffer.pending();
        }
    }

    private long backoffMs() {
        return config.minInterval().toMillis() << Math.min(10, Math.max(0, failures - 1));
    }

    private boolean shouldRun(long now) {
        if (buffer.pending() == 0 || now - lastRound < (failures == 0 ? config.minInterval().toMillis() : backoffMs())) {
            return false;
        }
        return buffer.trainable().size() >= config.minLabels()
                || now - buffer.oldestPendingMs() >= config.maxWait().toMillis();
    }

    /**
     * The consumer's positions, "partition" -&gt; next offset: everything below is in the buffer. Positions, not
     * last offset + 1, because a transactional producer's commit markers occupy offsets too.
     */
    private static Map<String, Long> offsets(Map<TopicPartition, Long> positions) {
        Map<String, Long> m = new TreeMap<>();
        positions.forEach((tp, o) -> m.put(Integer.toString(tp.partition()), o));
        return m;
    }

    /** False while labels wait for a round, a round runs, or the topic is not read to its end. */
    public boolean idle() {
        return pending == 0 && !busy && caughtUp;
    }
}
