package dev.rlaif.judge.service;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The judge service: reads {@code pairs}, judges each pair asynchronously with a {@link PairJudge}, and writes
 * fresh critiques to {@code critiques} (keyed by generation id) and one Judgment per pair to {@code judgments}
 * (keyed by pair id, so a pair judged twice after a crash collapses downstream). A record that cannot be read goes
 * to {@code pairs.dlq} with the reason.
 *
 * <p>Delivery: a pair's offset becomes committable only once its outputs are acknowledged by the broker
 * ({@link OffsetTracker} keeps per-partition runs of finished offsets), so a crash re-judges at most the pairs in
 * flight and loses none. Back-pressure: at most {@code maxPendingPairs} pairs are in flight; past that the consumer
 * pauses its partitions (staying in the group) and resumes when work finishes. Requests to the model server are
 * bounded separately by the LLM client.
 */
public final class JudgeService implements RlaifService {

    private static final Logger log = LoggerFactory.getLogger(JudgeService.class);
    private static final String SERVICE = "judge";

    private final KafkaSettings kafka;
    private final PairJudge judge;
    private final String groupId;
    private final int maxPendingPairs;
    private final Duration shutdownGrace;
    private final Runnable warmUp;
    private final MeterRegistry metrics;
    private final Clock clock;

    private final OffsetTracker offsets = new OffsetTracker();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Last offset committed per partition (consumer thread only). */
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean running;
    /** False once the loop has made its last commit: results after that are dropped, to be judged again. */
    private volatile boolean accepting = true;
    private volatile Throwable loopFailure;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, SpecificRecord> producer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private dev.rlaif.common.metrics.TopicMetrics topicMetrics;
    private Deserializer<ComparisonPair> pairs;
    private Thread loop;
    private boolean paused;

    /**
     * @param warmUp runs once before consuming (the critique cache's preload); may be a no-op
     */
    public JudgeService(KafkaSettings kafka, PairJudge judge, String groupId, int maxPendingPairs,
                        Duration shutdownGrace, Runnable warmUp, MeterRegistry metrics, Clock clock) {
        this.kafka = kafka;
        this.judge = judge;
        this.groupId = groupId;
        this.maxPendingPairs = maxPendingPairs;
        this.shutdownGrace = shutdownGrace;
        this.warmUp = warmUp;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge("rlaif_judge_pairs_in_flight", inFlight);
    }

    @Override
    public String name() {
        return SERVICE;
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(groupId);
    }

    @Override
    public boolean idle() {
        return inFlight.get() == 0;
    }

    /** Pairs taken from the topic whose outputs are not yet acknowledged. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void start() throws Exception {
        log.info("judge: {}", judge.describe());
        warmUp.run();
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(kafka, groupId));
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPendingPairs);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        producer = Clients.avroProducer(kafka, groupId + "-out");
        deadLetters = Clients.rawProducer(kafka, groupId + "-dlq");
        topicMetrics = new dev.rlaif.common.metrics.TopicMetrics(SERVICE, metrics).add(consumer).add(producer).add(deadLetters);
        pairs = AvroSerdes.from(kafka).deserializer();
        running = true;
        loop = new Thread(this::run, "judge-consumer");
        loop.start();
        if (!started.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("judge consumer did not start within 30 s");
        }
        if (loopFailure != null) {
            throw new IllegalStateException("judge consumer failed to start", loopFailure);
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.PAIRS.name()), new Rebalance());
            started.countDown();
            while (running) {
                step();
            }
            finishInFlight();
        } catch (WakeupException e) {
            if (running) {
                loopFailure = e;
                log.error("judge consumer woken up while running", e);
            }
            finishInFlight();
        } catch (RuntimeException e) {
            loopFailure = e;
            log.error("judge consumer loop failed; uncommitted pairs will be re-judged on restart", e);
        } finally {
            started.countDown();
            try {
                commit(true);
            } catch (RuntimeException e) {
                log.warn("final offset commit failed; the pairs after the last commit will be re-judged", e);
            }
            accepting = false;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void step() {
        rewindFailed();
        commit(false);
        backPressure();
        ConsumerRecords<String, byte[]> records;
        try {
            records = consumer.poll(Duration.ofMillis(100));
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
            return;
        }
        for (ConsumerRecord<String, byte[]> r : records) {
            dispatch(r);
        }
    }

    private void backPressure() {
        if (inFlight.get() >= maxPendingPairs) {
            if (!paused) {
                log.debug("{} pairs in flight: pausing {}", inFlight.get(), consumer.assignment());
            }
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        OffsetTracker.Track track = offsets.begin(tp, record.offset());
        inFlight.incrementAndGet();
        ComparisonPair pair;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("pair record without a value");
            }
            pair = pairs.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.warn("unreadable pair at {}-{}@{}: to {}", record.topic(), record.partition(), record.offset(),
                    Topics.PAIRS.dlq(), e);
            metrics.counter("rlaif_judge_dead_letters_total").increment();
            byte[] key = record.key() == null ? null : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            deadLetters.send(DeadLetters.of(SERVICE, record.topic(), record.partition(), record.offset(), key,
                    record.value(), "unreadable ComparisonPair: " + DeadLetters.describe(e), e),
                    (md, err) -> finished(track, record.offset(), err));
            return;
        }
        CompletableFuture<JudgeResult> judged;
        try {
            judged = judge.judge(pair);
        } catch (RuntimeException e) {
            judged = CompletableFuture.failedFuture(e);
        }
        judged.handle((result, error) -> error == null ? result : unavailable(pair, error))
                .thenAccept(result -> write(result, track, record.offset()));
    }

    /** A judge bug must not lose the pair: it is written as UNAVAILABLE, so humans get it. */
    private JudgeResult unavailable(ComparisonPair pair, Throwable error) {
        log.error("judge failed on pair {}", pair.getPairId(), error);
        Judgment j = Judgment.newBuilder()
                .setPairId(pair.getPairId()).setPair(pair).setJudgeType(JudgeType.LLM).setJudgeModel("unknown")
                .setVerdict(Verdict.UNAVAILABLE).setPA(0.5).setConfidence(0).setPositionConsistent(false)
                .setVotes(new VoteCounts(0, 0, 0, 0)).setError("judge-unavailable: " + DeadLetters.describe(error))
                .setCreatedAt(clock.instant()).build();
        return new JudgeResult(j, List.of());
    }

    private void write(JudgeResult result, OffsetTracker.Track track, long offset) {
        if (!accepting) {
            log.debug("stopped: not writing pair {}, it is uncommitted and will be judged again",
                    result.judgment().getPairId());
            inFlight.decrementAndGet();
            return;
        }
        List<ProducerRecord<String, SpecificRecord>> out = new ArrayList<>();
        for (Critique c : result.freshCritiques()) {
            out.add(new ProducerRecord<>(Topics.CRITIQUES.name(), c.getGenerationId(), c));
        }
        Judgment j = result.judgment();
        out.add(new ProducerRecord<>(Topics.JUDGMENTS.name(), j.getPairId(), j));
        AtomicInteger remaining = new AtomicInteger(out.size());
        java.util.concurrent.atomic.AtomicReference<Exception> firstError = new java.util.concurrent.atomic.AtomicReference<>();
        for (ProducerRecord<String, SpecificRecord> r : out) {
            try {
                producer.send(r, (md, err) -> {
                    if (err != null) {
                        firstError.compareAndSet(null, err);
                    }
                    if (remaining.decrementAndGet() == 0) {
                        finished(track, offset, firstError.get());
                    }
                });
            } catch (RuntimeException e) {
                firstError.compareAndSet(null, e);
                if (remaining.decrementAndGet() == 0) {
                    finished(track, offset, firstError.get());
                }
            }
        }
        metrics.counter("rlaif_judge_judgments_total", "verdict", j.getVerdict().name()).increment();
        metrics.timer("rlaif_judge_latency", "judge_type", j.getJudgeType().name()).record(Duration.ofMillis(j.getLatencyMs()));
        metrics.counter("rlaif_judge_tokens_total", "kind", "prompt").increment(j.getPromptTokens());
        metrics.counter("rlaif_judge_tokens_total", "kind", "completion").increment(j.getCompletionTokens());
        if (!j.getPositionConsistent()) {
            metrics.counter("rlaif_judge_position_inconsistent_total").increment();
        }
    }

    private void finished(OffsetTracker.Track track, long offset, Exception error) {
        if (error == null) {
            track.complete(offset);
        } else if (!accepting) {
            log.debug("stopped: the write of pair offset {} failed; it is uncommitted and will be judged again", offset);
        } else {
            log.error("could not write the outputs of pair offset {}: the partition will be re-read from its oldest "
                    + "pending pair", offset, error);
            track.fail();
        }
        inFlight.decrementAndGet();
    }

    private void rewindFailed() {
        offsets.takeFailed().forEach((tp, offset) -> {
            if (consumer.assignment().contains(tp)) {
                log.warn("rewinding {} to {} after a failed write", tp, offset);
                consumer.seek(tp, offset);
            }
        });
    }

    /**
     * Commits the finished runs. A partition with nothing pending commits the consumer's position instead, which
     * lies past the transaction markers that follow the last record of a transactional producer (the pairing
     * service writes with exactly-once): committing only {@code last offset + 1} would leave a lag of one marker per
     * partition forever, and the demo waits for lag 0.
     */
    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> ready = offsets.drain();
        for (TopicPartition tp : consumer.assignment()) {
            if (!offsets.hasPending(tp)) {
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
        if (ready.isEmpty()) {
            return;
        }
        ready.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max));
        if (sync) {
            consumer.commitSync(ready);
        } else {
            consumer.commitAsync(ready, (o, e) -> {
                if (e != null) {
                    log.warn("offset commit of {} failed (a later commit covers it): {}", o, e.toString());
                }
            });
        }
    }

    private void finishInFlight() {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(50));
            commit(false);
        }
        if (inFlight.get() > 0) {
            log.info("stopping with {} pairs in flight: they are not committed and will be judged again", inFlight.get());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                commit(true);
            } catch (RuntimeException e) {
                log.warn("commit on revocation failed; those pairs will be judged again", e);
            }
            offsets.forget(partitions);
            partitions.forEach(committed::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
            partitions.forEach(committed::remove);
        }
    }

    @Override
    public void close() {
        running = false;
        if (loop != null) {
            consumer.wakeup();
            try {
                loop.join(shutdownGrace.toMillis() + 15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(10));
        }
        if (topicMetrics != null) {
            topicMetrics.close();
        }
        judge.close();
    }
}
