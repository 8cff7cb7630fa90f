package dev.rlaif.trainer;

import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.encode.TextEncoder;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.RewardModelVersion;
import dev.rlaif.trainer.buffer.LabelBuffer;
import dev.rlaif.trainer.round.RoundRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Keeps the reward model fresh: reads {@code preferences}, trains a new ensemble in rounds as labels arrive,
 * writes each candidate into the models directory, publishes it when it is not worse on the gold set, and
 * announces every round on {@code model-versions}. Undecodable preferences go to {@code preferences.dlq}.
 *
 * <p>Restart: the trainer replays the compacted {@code preferences} topic from the beginning to rebuild its replay
 * buffer; records below the newest version's {@code data_offsets} were already trained on and do not trigger a
 * round, later ones are pending. Offsets are committed to its group after each round (and whenever nothing is
 * pending), so the group's lag is what is left to train. One trainer instance per cluster (it assigns all
 * partitions itself).
 */
public final class TrainerService implements RlaifService {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private final dev.rlaif.common.config.KafkaSettings kafka;
    private final TrainerConfig config;
    private final MeterRegistry metrics;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile int pending;
    private volatile boolean caughtUp;
    private Thread loop;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, RewardModelVersion> producer;
    private KafkaProducer<byte[], byte[]> dlq;
    private ModelStore store;
    private Counter rounds;
    private Counter published;
    private Counter deadLetters;
    private Timer roundTimer;
    private java.util.concurrent.ExecutorService prefetch;
    private Map<String, Long> lastCommitted = Map.of();
    private java.util.concurrent.Future<?> lastPrefetch;

    private final dev.rlaif.trainer.round.ProbeSet probe;
    private final java.util.concurrent.atomic.AtomicReference<Double> probeAccuracy = new java.util.concurrent.atomic.AtomicReference<>(Double.NaN);

    public TrainerService(dev.rlaif.common.config.KafkaSettings kafka, TrainerConfig config, MeterRegistry metrics) {
        this(kafka, config, metrics, dev.rlaif.trainer.round.ProbeSet.NONE);
    }

    /** With an out-of-domain probe set ({@code RLAIF_TRAINER_PROBE_DATA}) measured every round. */
    public TrainerService(dev.rlaif.common.config.KafkaSettings kafka, TrainerConfig config, MeterRegistry metrics,
                          dev.rlaif.trainer.round.ProbeSet probe) {
        this.kafka = kafka;
        this.config = config;
        this.metrics = metrics;
        this.probe = probe;
    }

    @Override
    public String name() {
        return "trainer";
    }

    static Supplier<TextEncoder> encoder(TrainerConfig config) {
        return () -> dev.rlaif.rm.encode.TextEncoders.open(config.encoder(), config.modelsDir().resolve("cache"));
    }

    @Override
    public void start() {
        LOG.info("Starting trainer with {}", config.describe());
        store = ModelStore.open(config.modelsDir(), encoder(config));
        rounds = metrics.counter("rlaif_trainer_rounds_total");
        published = metrics.counter("rlaif_trainer_published_total");
        deadLetters = metrics.counter("rlaif_trainer_dead_letters_total");
        roundTimer = metrics.timer("rlaif_trainer_round_seconds");
        if (!probe.isEmpty()) {
            metrics.gauge("rlaif_trainer_probe_accuracy", probeAccuracy, r -> r.get());
        }
        consumer = new KafkaConsumer<>(Clients.consumerConfig(kafka, config.groupId()), new StringDeserializer(),
                new ByteArrayDeserializer());
        producer = Clients.avroProducer(kafka, "rlaif-trainer");
        dlq = Clients.rawProducer(kafka, "rlaif-trainer-dlq");
        List<TopicPartition> parts = consumer.partitionsFor(Topics.PREFERENCES.name(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<String, Long> trained = store.latestManifest().map(ModelManifest::dataOffsets).orElse(Map.of());
        LOG.info("Trainer resumes after {} (offsets {})", store.latestManifest().map(ModelManifest::version).orElse("nothing"), trained);
        prefetch = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "trainer-prefetch");
            t.setDaemon(true);
            return t;
        });
        running.set(true);
        loop = new Thread(() -> run(parts, trained), "trainer-loop");
        loop.setDaemon(true);
        loop.start();
    }

    private void run(List<TopicPartition> parts, Map<String, Long> trained) {
        Deserializer<PreferenceLabel> avro = AvroSerdes.from(kafka).deserializer();
        LabelBuffer buffer = new LabelBuffer(config.holdoutShare(), config.replayMax());
        RoundRunner runner = new RoundRunner(store, config, probe);
        long lastRound = 0;
        List<PreferenceLabel> arrived = new ArrayList<>();
        try {
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, byte[]> r : records) {
                    boolean fresh = r.offset() >= trained.getOrDefault(Integer.toString(r.partition()), 0L);
                    PreferenceLabel label;
                    try {
                        label = r.value() == null ? null : avro.deserialize(r.topic(), r.headers(), r.value());
                    } catch (RuntimeException e) {
                        LOG.warn("Undecodable preference at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
                        dlq.send(DeadLetters.of("trainer", r.topic(), r.partition(), r.offset(),
                                r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8), r.value(),
                                "cannot decode PreferenceLabel", e));
                        deadLetters.increment();
                        label = null;
                    }
                    buffer.add(r.partition(), r.offset(), label, fresh, now);
                    if (label != null && !label.getTie() && fresh) {
                        arrived.add(label);
                    }
                }
                if (!arrived.isEmpty()) {
                    prefetch(new ArrayList<>(arrived));
                    arrived.clear();
                }
                pending = buffer.pending();
                caughtUp = caughtUp(parts);
                if (shouldRun(buffer, now, lastRound)) {
                    busy.set(true);
                    try {
                        if (buffer.trainable().size() < 2) {
                            LOG.info("{} pending labels but fewer than 2 trainable pairs: nothing to train yet", buffer.pending());
                        } else {
                            runRound(runner, buffer, positions(parts));
                        }
                        buffer.roundDone();
                        lastRound = System.currentTimeMillis();
                    } catch (Exception e) {
                        LOG.error("Training round failed; retrying after {}", config.minInterval(), e);
                        lastRound = System.currentTimeMillis();
                    } finally {
                        busy.set(false);
                    }
                    pending = buffer.pending();
                }
                if (buffer.pending() == 0) {
                    commit(positions(parts));
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("Trainer loop stopped", e);
        }
    }

    /**
     * Embeds newly arrived labels' texts on another thread while a round trains, so the next round finds them in
     * the embedding cache and spends its time training.
     */
    private void prefetch(List<PreferenceLabel> labels) {
        lastPrefetch = prefetch.submit(() -> {
            try {
                var fx = new dev.rlaif.rm.feature.FeatureExtractor(store.encoder(),
                        dev.rlaif.rm.feature.FeatureExtractor.defaultSpec(store.encoder()));
                List<dev.rlaif.rm.ScoringInput> inputs = new ArrayList<>();
                for (PreferenceLabel l : labels) {
                    inputs.add(new dev.rlaif.rm.ScoringInput(l.getPrompt(), l.getChosen().getResponse(), l.getChosen().getCritique()));
                    inputs.add(new dev.rlaif.rm.ScoringInput(l.getPrompt(), l.getRejected().getResponse(), l.getRejected().getCritique()));
                }
                fx.features(inputs);
            } catch (RuntimeException e) {
                LOG.debug("Prefetching embeddings failed (the round will embed them): {}", e.toString());
            }
        });
    }

    private boolean shouldRun(LabelBuffer buffer, long now, long lastRound) {
        if (buffer.pending() == 0 || now - lastRound < config.minInterval().toMillis()) {
            return false;
        }
        return buffer.trainable().size() >= config.minLabels()
                || now - buffer.oldestPendingMs() >= config.maxWait().toMillis();
    }

    /**
     * The consumer's position per partition: everything below it is in the buffer. Positions, not last record
     * offset + 1, because a transactional producer's commit markers occupy offsets too (the merger writes
     * preferences exactly-once), and committing below them would leave a lag that never drains.
     */
    private Map<String, Long> positions(List<TopicPartition> parts) {
        Map<String, Long> m = new java.util.TreeMap<>();
        for (TopicPartition p : parts) {
            m.put(Integer.toString(p.partition()), consumer.position(p));
        }
        return m;
    }

    private void runRound(RoundRunner runner, LabelBuffer buffer, Map<String, Long> offsets) throws Exception {
        // the prefetch thread is embedding the pending labels already: let it finish (FIFO, so waiting for the last
        // task waits for all) instead of embedding the same texts a second time in parallel
        if (lastPrefetch != null) {
            try {
                lastPrefetch.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                LOG.debug("Prefetch not finished: the round embeds what is missing: {}", e.toString());
            }
        }
        RoundRunner.Outcome outcome = roundTimer.recordCallable(() -> runner.run(buffer.trainable(), buffer.gold(), offsets));
        Double probed = outcome.event().getMetrics().get("probe_accuracy");
        if (probed != null) {
            probeAccuracy.set(probed);
        }
        rounds.increment();
        if (outcome.published()) {
            published.increment();
        }
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.MODEL_VERSIONS.name(),
                outcome.event().getVersion(), outcome.event())).get(30, TimeUnit.SECONDS);
        commit(offsets);
    }

    private void commit(Map<String, Long> offsets) {
        if (offsets.equals(lastCommitted)) {
            return;
        }
        lastCommitted = new HashMap<>(offsets);
        Map<TopicPartition, OffsetAndMetadata> m = new HashMap<>();
        offsets.forEach((p, o) -> m.put(new TopicPartition(Topics.PREFERENCES.name(), Integer.parseInt(p)), new OffsetAndMetadata(o)));
        consumer.commitSync(m);
    }

    private boolean caughtUp(List<TopicPartition> parts) {
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(5));
            for (TopicPartition p : parts) {
                if (consumer.position(p) < end.get(p)) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** False while labels wait for a round, a round runs, or the topic is not read to its end. */
    @Override
    public boolean idle() {
        return pending == 0 && !busy.get() && caughtUp;
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(config.groupId());
    }

    /** The models directory (for tests and the demo summary). */
    public ModelStore store() {
        return store;
    }

    @Override
    public void close() {
        running.set(false);
        if (consumer != null) {
            consumer.wakeup();
        }
        if (loop != null) {
            try {
                loop.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (prefetch != null) {
            prefetch.shutdownNow();
        }
        if (consumer != null) {
            consumer.close();
        }
        if (producer != null) {
            producer.close();
        }
        if (dlq != null) {
            dlq.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
