package dev.rlaif.common.consume;

import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.service.Health;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one consumer loop of the pipeline's non-Streams services (judge, trainer, labeling's escalations, the label
 * outbox recovery), in the way Kafka Connect and Debezium treat errors. It polls; decodes each value with the
 * catalog's serde (undecodable → {@code <topic>.dlq} with the reason and the source's topic, partition and offset);
 * hands the record to a {@link RecordHandler}, which returns the records to write, at once or later; writes them;
 * and advances a partition's offset only past a contiguous run of records whose outputs (or dead letter) are
 * acknowledged ({@link OffsetTracker}), so a crash re-processes at most what was in flight and skips nothing.
 *
 * <p>Pluggable: where offsets live ({@link OffsetStore}: the group, or an external store such as the labeling
 * service's database); how many records may be in flight before the partitions are paused; and a
 * {@link FailureClassifier}: a retriable failure is retried with exponential backoff a bounded number of times (a
 * failed write is written again, never re-handled: a judge does not pay its model twice for a producer error), a
 * failure fatal for the record sends it to the DLQ and goes on, and a failure fatal for the service (or retries
 * spent) stops the loop, turns {@link #health()} DOWN and calls the {@code onFatal} action (a service process
 * exits non-zero so its supervisor restarts it; uncommitted records are then read again).
 *
 * <p>Threads: the loop runs on its own thread ({@link #start()}) or on the caller's ({@link #runToEnd(Duration)},
 * a bounded scan). Handlers are called on the loop thread; their stages, producer callbacks and the offset
 * tracker's completion may run on any thread; retries are run again on the loop thread.
 */
public final class ConsumerRuntime<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerRuntime.class);

    /** What a handler's {@link RecordHandler#tick} may ask of the runtime (loop thread only). */
    public interface Control {
        /** The consumer's position per assigned partition (what lies below has been handed to the handler). */
        Map<TopicPartition, Long> positions();

        /** Whether every assigned partition has been read to its end (as far as the consumer knows). */
        boolean caughtUp();

        /** Writes records not tied to one input; the stage completes when all are acknowledged. */
        CompletableFuture<Void> write(List<Output> outputs);
    }

    /** Settings of a runtime. */
    public static final class Builder<V> {
        private String service;
        private String topic;
        private Deserializer<V> deserializer;
        private Consumer<byte[], byte[]> consumer;
        private Producer<byte[], byte[]> producer;
        private Serializer<SpecificRecord> serializer;
        private RecordHandler<V> handler;
        private OffsetStore offsets = OffsetStore.kafka();
        private boolean subscribe = true;
        private int maxInFlight = 1000;
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration pollTimeout = Duration.ofMillis(100);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private FailureClassifier classifier = FailureClassifier.standard();
        private java.util.function.Consumer<Throwable> onFatal = e -> { };
        private boolean tombstones;
        private boolean deadLetterUndecodable = true;
        private MeterRegistry metrics = new SimpleMeterRegistry();

        /** The service name written into dead letters ({@code dlq.service}) and metrics. */
        public Builder<V> service(String name) {
            this.service = name;
            return this;
        }

        /** The topic to read and the decoder of its values (the catalog's serde). */
        public Builder<V> source(String topicName, Deserializer<V> valueDeserializer) {
            this.topic = topicName;
            this.deserializer = valueDeserializer;
            return this;
        }

        /** The consumer (raw bytes; manual commits); closed by the runtime. */
        public Builder<V> consumer(Consumer<byte[], byte[]> c) {
            this.consumer = c;
            return this;
        }

        /**
         * The producer of outputs and dead letters (raw bytes; not closed by the runtime), and the serializer of
         * output values. Only a read-only scan (no outputs, no dead letters) may go without.
         */
        public Builder<V> producer(Producer<byte[], byte[]> p, Serializer<SpecificRecord> valueSerializer) {
            this.producer = p;
            this.serializer = valueSerializer;
            return this;
        }

        public Builder<V> handler(RecordHandler<V> h) {
            this.handler = h;
            return this;
        }

        public Builder<V> offsets(OffsetStore store) {
            this.offsets = store;
            return this;
        }

        /** Joins the consumer's group (true, the default) or assigns itself every partition of the topic. */
        public Builder<V> subscribe(boolean joinGroup) {
            this.subscribe = joinGroup;
            return this;
        }

        /** Records taken and not finished, past which the partitions are paused. */
        public Builder<V> maxInFlight(int n) {
            this.maxInFlight = n;
            return this;
        }

        /** Attempts of a retriable step (the first included), and the backoff between them (doubling, capped). */
        public Builder<V> retries(int attempts, Duration initial, Duration max) {
            this.maxAttempts = attempts;
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder<V> pollTimeout(Duration d) {
            this.pollTimeout = d;
            return this;
        }

        /** On close, the time records in flight get to finish (the rest stay uncommitted). */
        public Builder<V> shutdownGrace(Duration d) {
            this.shutdownGrace = d;
            return this;
        }

        public Builder<V> classifier(FailureClassifier c) {
            this.classifier = c;
            return this;
        }

        /** What to do once the loop stopped on a fatal failure (after its last commit). */
        public Builder<V> onFatal(java.util.function.Consumer<Throwable> action) {
            this.onFatal = action;
            return this;
        }

        /** Hand null values (tombstones of a compacted topic) to the handler, instead of dead-lettering them. */
        public Builder<V> tombstones(boolean pass) {
            this.tombstones = pass;
            return this;
        }

        /**
         * Whether undecodable records go to the DLQ (default). A read-only scan of a topic another service consumes
         * turns it off: that service dead-letters them, and the scan only logs and counts them.
         */
        public Builder<V> deadLetterUndecodable(boolean send) {
            this.deadLetterUndecodable = send;
            return this;
        }

        public Builder<V> metrics(MeterRegistry registry) {
            this.metrics = registry;
            return this;
        }

        public ConsumerRuntime<V> build() {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(topic, "source topic");
            Objects.requireNonNull(consumer, "consumer");
            Objects.requireNonNull(handler, "handler");
            if (maxInFlight < 1 || maxAttempts < 1) {
                throw new IllegalArgumentException("maxInFlight and attempts must be at least 1");
            }
            return new ConsumerRuntime<>(this);
        }
    }

    public static <V> Builder<V> builder() {
        return new Builder<>();
    }

    private final Builder<V> cfg;
    private final Consumer<byte[], byte[]> consumer;
    private final OffsetTracker tracker = new OffsetTracker();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Retries due on the loop thread. */
    private final ConcurrentLinkedQueue<Deferred> deferred = new ConcurrentLinkedQueue<>();
    /** Last offset committed per partition (loop thread only). */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final Control control = new LoopControl();
    private volatile boolean running;
    /** False once the loop has made its last commit: later completions change nothing. */
    private volatile boolean accepting = true;
    private volatile boolean stopped;
    private boolean paused;
    private Thread loop;

    private record Deferred(long dueNanos, Runnable action) {
    }

    /** Set once the partitions are assigned and positioned, before {@link #start()} returns. */
    private volatile boolean initialized;

    private ConsumerRuntime(Builder<V> cfg) {
        this.cfg = cfg;
        this.consumer = cfg.consumer;
        cfg.metrics.gauge("rlaif_consumer_in_flight", List.of(io.micrometer.core.instrument.Tag.of("service", cfg.service)), inFlight);
    }

    /** Starts the loop on its own thread; returns once the partitions are subscribed or assigned and positioned. */
    public void start() throws InterruptedException {
        running = true;
        loop = new Thread(this::runLoop, cfg.service + "-consumer");
        loop.start();
        if (!started.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(cfg.service + " consumer did not start within 60 s");
        }
        Throwable f = fatal.get();
        if (f != null && !initialized) {
            // failed before it was positioned; a failure after that (its first tick, say) is the loop's, reported
            // through health and onFatal like any later one
            throw new IllegalStateException(cfg.service + " consumer failed to start: " + f, f);
        }
    }

    /**
     * Reads every partition (assigned, not subscribed) from the store's positions to the end offsets seen at the
     * start, on the caller's thread, and returns once every record is finished.
     *
     * @throws IllegalStateException when that takes longer than {@code timeout}, or on a fatal failure
     */
    public void runToEnd(Duration timeout) {
        running = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            List<TopicPartition> parts = init();
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
            while (fatal.get() == null) {
                boolean read = parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                if (read && inFlight.get() == 0 && deferred.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(cfg.service + ": could not read " + cfg.topic + " to its end within " + timeout);
                }
                step();
            }
            commit(true);
        } finally {
            running = false;
            accepting = false;
            stopped = true;
            consumer.close(Duration.ofSeconds(5));
        }
        Throwable f = fatal.get();
        if (f != null) {
            throw new IllegalStateException(cfg.service + ": reading " + cfg.topic + " failed: " + f, f);
        }
    }

    private List<TopicPartition> init() {
        if (cfg.subscribe) {
            consumer.subscribe(List.of(cfg.topic), new Rebalance());
            return List.of();
        }
        List<TopicPartition> parts = consumer.partitionsFor(cfg.topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(cfg.topic, p.partition())).toList();
        consumer.assign(parts);
        cfg.offsets.onAssigned(consumer, parts);
        return parts;
    }

    private void runLoop() {
        try {
            init();
            initialized = true;
            started.countDown();
            while (running) {
                step();
            }
            if (fatal.get() == null) {
                finishInFlight();
            }
        } catch (WakeupException e) {
            if (running) {
                die(e);
            } else if (fatal.get() == null) {
                finishInFlight();
            }
        } catch (RuntimeException e) {
            die(e);
        } finally {
            started.countDown();
            try {
                commit(true);
            } catch (RuntimeException e) {
                log.warn("{}: final offset commit failed; the records after the last commit will be read again", cfg.service, e);
            }
            accepting = false;
            stopped = true;
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("{}: closing the consumer: {}", cfg.service, e.toString());
            }
            Throwable f = fatal.get();
            if (f != null) {
                log.error("{}: consumer loop stopped for good on {}; health is DOWN", cfg.service, cfg.topic, f);
                cfg.onFatal.accept(f);
            }
        }
    }

    /** One turn of the loop: due retries, a commit, back-pressure, the handler's tick, a poll, dispatch. */
    void step() {
        runDue();
        commit(false);
        backPressure();
        try {
            cfg.handler.tick(control);
        } catch (Exception e) {
            throw new ServiceFailure(cfg.service + ": " + DeadLetters.describe(e), e);
        }
        if (fatal.get() != null) {
            running = false;
            return;
        }
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(cfg.pollTimeout);
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
            return;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            dispatch(r);
        }
    }

    private void runDue() {
        long now = System.nanoTime();
        int n = deferred.size();
        for (int i = 0; i < n; i++) {
            Deferred d = deferred.poll();
            if (d == null) {
                break;
            }
            if (d.dueNanos() - now <= 0) {
                d.action().run();
            } else {
                deferred.add(d);
            }
        }
    }

    private void backPressure() {
        if (inFlight.get() >= cfg.maxInFlight) {
            if (!paused) {
                log.debug("{}: {} records in flight, pausing {}", cfg.service, inFlight.get(), consumer.assignment());
            }
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        OffsetTracker.Track track = tracker.begin(tp, record.offset());
        inFlight.incrementAndGet();
        decode(record, tp, track, 1);
    }

    /** Decodes a record and hands it on; a failing registry is retried (bounded), a bad record dead-lettered. */
    private void decode(ConsumerRecord<byte[], byte[]> record, TopicPartition tp, OffsetTracker.Track track, int attempt) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        V value;
        try {
            if (record.value() == null) {
                if (!cfg.tombstones) {
                    throw new IllegalArgumentException("record without a value (tombstone)");
                }
                value = null;
            } else {
                value = cfg.deserializer.deserialize(record.topic(), record.headers(), record.value());
            }
        } catch (RuntimeException e) {
            if (FailureClassifier.registryUnavailable(e)) {
                // the registry, not the record: read it again (bounded), then fatal for the service
                retry(tp, track, attempt, "decoding " + record.topic() + "-" + record.partition() + "@" + record.offset()
                        + " (schema registry)", e, () -> decode(record, tp, track, attempt + 1));
                return;
            }
            String reason = "cannot deserialize " + cfg.topic + " value: " + DeadLetters.describe(e);
            if (!cfg.deadLetterUndecodable) {
                log.warn("{}: skipping undecodable record {}-{}@{} (its consumer dead-letters it): {}", cfg.service,
                        record.topic(), record.partition(), record.offset(), reason);
                cfg.metrics.counter("rlaif_consumer_undecodable_skipped_total", "service", cfg.service).increment();
                finish(tp, track, record.offset());
                return;
            }
            deadLetter(record, tp, track, reason, e, 1);
            return;
        }
        handle(new Input<>(record, key, value), tp, track, 1);
    }

    private void handle(Input<V> input, TopicPartition tp, OffsetTracker.Track track, int attempt) {
        CompletionStage<List<Output>> stage;
        try {
            stage = cfg.handler.handle(input);
        } catch (Exception e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((outputs, error) -> {
            if (error == null) {
                write(input.raw(), tp, track, outputs == null ? List.of() : outputs, 1);
                return;
            }
            Throwable e = FailureClassifier.unwrap(error);
            switch (cfg.classifier.classify(FailureClassifier.Stage.HANDLE, e)) {
                case RETRIABLE -> retry(tp, track, attempt, "handling " + input.where(), e,
                        () -> handle(input, tp, track, attempt + 1));
                case FATAL_FOR_RECORD -> deadLetter(input.raw(), tp, track, reasonOf(e), e, 1);
                case FATAL_FOR_SERVICE -> die(e);
            }
        });
    }

    private static String reasonOf(Throwable e) {
        return e instanceof RecordFailure && e.getCause() == null ? e.getMessage() : DeadLetters.describe(e);
    }

    private void write(ConsumerRecord<byte[], byte[]> source, TopicPartition tp, OffsetTracker.Track track,
                       List<Output> outputs, int attempt) {
        if (outputs.isEmpty()) {
            finish(tp, track, source.offset());
            return;
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try {
            for (Output o : outputs) {
                records.add(serialize(o));
            }
        } catch (RuntimeException e) {
            if (FailureClassifier.fromSchemaRegistry(e)) {
                // the registry, not the record: retried (bounded) like a failed write, then fatal for the service
                retry(tp, track, attempt, "serializing the outputs of " + source.topic() + "-" + source.partition() + "@"
                        + source.offset() + " (schema registry)", e, () -> write(source, tp, track, outputs, attempt + 1));
                return;
            }
            deadLetter(source, tp, track, "cannot serialize an output: " + DeadLetters.describe(e), e, 1);
            return;
        }
        send(records).whenComplete((ok, error) -> {
            if (error == null) {
                finish(tp, track, source.offset());
                return;
            }
            Throwable e = FailureClassifier.unwrap(error);
            switch (cfg.classifier.classify(FailureClassifier.Stage.WRITE, e)) {
                case RETRIABLE -> retry(tp, track, attempt, "writing the outputs of " + source.topic() + "-"
                        + source.partition() + "@" + source.offset(), e, () -> write(source, tp, track, outputs, attempt + 1));
                case FATAL_FOR_RECORD -> deadLetter(source, tp, track,
                        "an output can never be written: " + DeadLetters.describe(e), e, 1);
                case FATAL_FOR_SERVICE -> die(e);
            }
        });
    }

    private ProducerRecord<byte[], byte[]> serialize(Output o) {
        byte[] key = o.key() == null ? null : o.key().getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(o.topic(), key, cfg.serializer.serialize(o.topic(), o.value()));
    }

    /** Sends every record; the stage completes when all are acknowledged, failing with the first error. */
    private CompletableFuture<Void> send(List<ProducerRecord<byte[], byte[]>> records) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        if (cfg.producer == null) {
            all.completeExceptionally(new ServiceFailure(cfg.service + " has no producer, yet has records to write"));
            return all;
        }
        AtomicInteger remaining = new AtomicInteger(records.size());
        AtomicReference<Exception> first = new AtomicReference<>();
        for (ProducerRecord<byte[], byte[]> r : records) {
            try {
                cfg.producer.send(r, (md, err) -> {
                    if (err != null) {
                        first.compareAndSet(null, err);
                    }
                    if (remaining.decrementAndGet() == 0) {
                        if (first.get() == null) {
                            all.complete(null);
                        } else {
                            all.completeExceptionally(first.get());
                        }
                    }
                });
            } catch (RuntimeException e) {
                first.compareAndSet(null, e);
                if (remaining.decrementAndGet() == 0) {
                    all.completeExceptionally(first.get());
                }
            }
        }
        return all;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, TopicPartition tp, OffsetTracker.Track track,
                            String reason, Throwable error, int attempt) {
        if (attempt == 1) {
            log.warn("{}: record {}-{}@{} goes to {}.dlq: {}", cfg.service, r.topic(), r.partition(), r.offset(),
                    r.topic(), reason);
            cfg.metrics.counter("rlaif_consumer_dead_letters_total", "service", cfg.service, "topic", r.topic()).increment();
        }
        ProducerRecord<byte[], byte[]> dl = DeadLetters.of(cfg.service, r.topic(), r.partition(), r.offset(), r.key(),
                r.value(), reason, error);
        send(List.of(dl)).whenComplete((ok, err) -> {
            if (err == null) {
                finish(tp, track, r.offset());
                return;
            }
            Throwable e = FailureClassifier.unwrap(err);
            if (cfg.classifier.classify(FailureClassifier.Stage.WRITE, e) == Failure.RETRIABLE) {
                retry(tp, track, attempt, "dead-lettering " + r.topic() + "-" + r.partition() + "@" + r.offset(), e,
                        () -> deadLetter(r, tp, track, reason, error, attempt + 1));
            } else {
                die(new ServiceFailure("cannot write a dead letter to " + r.topic() + ".dlq: " + DeadLetters.describe(e), e));
            }
        });
    }

    /** Schedules {@code again} after a backoff, or stops the service when the attempts are spent. */
    private void retry(TopicPartition tp, OffsetTracker.Track track, int attempt, String what, Throwable e, Runnable again) {
        if (!accepting) {
            inFlight.decrementAndGet();
            return;
        }
        if (attempt >= cfg.maxAttempts) {
            die(new ServiceFailure(cfg.service + ": " + what + " failed " + attempt + " times: " + DeadLetters.describe(e), e));
            return;
        }
        long backoff = Math.min(cfg.maxBackoff.toNanos(), cfg.initialBackoff.toNanos() << Math.min(20, attempt - 1));
        log.warn("{}: {} failed (attempt {} of {}), retrying in {} ms: {}", cfg.service, what, attempt, cfg.maxAttempts,
                backoff / 1_000_000, DeadLetters.describe(e));
        cfg.metrics.counter("rlaif_consumer_retries_total", "service", cfg.service).increment();
        deferred.add(new Deferred(System.nanoTime() + backoff, () -> {
            if (tracker.isCurrent(tp, track) && accepting) {
                again.run();
            } else {
                inFlight.decrementAndGet(); // the partition moved on (rebalance): it will be read again
            }
        }));
    }

    private void finish(TopicPartition tp, OffsetTracker.Track track, long offset) {
        if (accepting) {
            track.complete(offset);
        }
        inFlight.decrementAndGet();
    }

    private void die(Throwable e) {
        if (fatal.compareAndSet(null, e)) {
            running = false;
            try {
                consumer.wakeup();
            } catch (RuntimeException ignored) {
                // closed already
            }
        }
    }

    /**
     * Commits the finished runs. A partition with nothing pending commits the consumer's position instead, which
     * lies past the transaction markers that follow the last record of a transactional producer: committing only
     * {@code last offset + 1} would leave a lag of one marker per partition forever.
     */
    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> ready = tracker.drain();
        for (TopicPartition tp : consumer.assignment()) {
            if (!tracker.hasPending(tp)) {
                long position;
                try {
                    position = consumer.position(tp, Duration.ZERO);
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    continue; // position not known yet
                }
                Long last = committed.get(tp);
                if (last == null || position > last) {
                    ready.put(tp, new OffsetAndMetadata(position));
                }
            }
        }
        ready.keySet().removeIf(tp -> {
            Long last = committed.get(tp);
            return last != null && ready.get(tp).offset() <= last;
        });
        if (ready.isEmpty()) {
            return;
        }
        cfg.offsets.commit(consumer, ready, sync);
        ready.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max));
    }

    private void finishInFlight() {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + cfg.shutdownGrace.toNanos();
        while ((inFlight.get() > 0) && System.nanoTime() < deadline && fatal.get() == null) {
            runDue();
            consumer.poll(Duration.ofMillis(50));
            commit(false);
        }
        if (inFlight.get() > 0) {
            log.info("{}: stopping with {} records in flight: they are not committed and will be read again",
                    cfg.service, inFlight.get());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                commit(true);
            } catch (RuntimeException e) {
                log.warn("{}: commit on revocation failed; those records will be read again", cfg.service, e);
            }
            tracker.forget(partitions);
            partitions.forEach(committed::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            cfg.offsets.onAssigned(consumer, partitions);
            if (paused) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            tracker.forget(partitions);
            partitions.forEach(committed::remove);
        }
    }

    private final class LoopControl implements Control {
        @Override
        public Map<TopicPartition, Long> positions() {
            Map<TopicPartition, Long> m = new HashMap<>();
            for (TopicPartition tp : consumer.assignment()) {
                m.put(tp, consumer.position(tp));
            }
            return m;
        }

        @Override
        public boolean caughtUp() {
            for (TopicPartition tp : consumer.assignment()) {
                OptionalLong lag = consumer.currentLag(tp);
                if (lag.isEmpty() || lag.getAsLong() > 0) {
                    return false;
                }
            }
            return !consumer.assignment().isEmpty();
        }

        @Override
        public CompletableFuture<Void> write(List<Output> outputs) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (Output o : outputs) {
                records.add(serialize(o));
            }
            return records.isEmpty() ? CompletableFuture.completedFuture(null) : send(records);
        }
    }

    /** Records taken from the topic whose outputs (or dead letters) are not yet acknowledged. */
    public int inFlight() {
        return inFlight.get();
    }

    /** UP while the loop runs (or was stopped on purpose); DOWN with the reason once it stopped on a fatal failure. */
    public Health health() {
        Throwable f = fatal.get();
        return f == null ? Health.UP : Health.down(cfg.service + " consumer of " + cfg.topic + " stopped: "
                + DeadLetters.describe(f));
    }

    /** The fatal failure that stopped the loop, or null. */
    public Throwable failure() {
        return fatal.get();
    }

    /** Whether the loop has ended (closed, or stopped on a fatal failure). */
    public boolean stopped() {
        return stopped;
    }

    /** Stops the loop: records in flight get the shutdown grace to finish, then the last commit; closes the consumer. */
    @Override
    public void close() {
        running = false;
        if (loop != null) {
            try {
                consumer.wakeup();
            } catch (RuntimeException ignored) {
                // closed already
            }
            if (Thread.currentThread() != loop) {
                try {
                    loop.join(cfg.shutdownGrace.toMillis() + 15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
