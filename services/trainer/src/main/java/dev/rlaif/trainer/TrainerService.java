package dev.rlaif.trainer;

import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.consume.OffsetStore;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.Health;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.encode.TextEncoder;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.trainer.lock.TrainerLock;
import dev.rlaif.trainer.round.RoundRunner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the reward model fresh: a {@link TrainerHandler} on the {@link ConsumerRuntime} reads {@code preferences}
 * and trains a new ensemble in rounds as labels arrive,
 * writes each candidate into the models directory, publishes it when it is not worse on the gold set, and
 * announces every round on {@code model-versions}. Undecodable preferences go to {@code preferences.dlq}.
 *
 * <p>Restart: the trainer replays the compacted {@code preferences} topic from the beginning to rebuild its replay
 * buffer; records below the newest version's {@code data_offsets} were already trained on and do not trigger a
 * round, later ones are pending. Offsets are committed to its group after each round (and whenever nothing is
 * pending), so the group's lag is what is left to train. A round that keeps failing stops the service (DOWN, exit
 * non-zero) after {@link #MAX_ROUND_FAILURES} tries. One trainer instance per cluster (it assigns all partitions
 * itself), enforced by {@link TrainerLock} on the models directory: a second trainer does not start.
 */
public final class TrainerService implements RlaifService {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private final dev.rlaif.common.config.KafkaSettings kafka;
    private final TrainerConfig config;
    private final MeterRegistry metrics;
    /** Failed rounds in a row after which the trainer stops for good (health DOWN, exit non-zero). */
    static final int MAX_ROUND_FAILURES = 5;

    private final java.util.function.Consumer<Throwable> onFatal;
    private ConsumerRuntime<PreferenceLabel> runtime;
    private TrainerHandler handler;
    private KafkaProducer<byte[], byte[]> producer;
    private ModelStore store;
    private dev.rlaif.common.metrics.TopicMetrics topicMetrics;
    private TrainerLock lock;
    private java.util.concurrent.ExecutorService prefetch;
    private java.util.concurrent.Future<?> lastPrefetch;

    private final dev.rlaif.trainer.round.ProbeSet probe;
    private final java.util.concurrent.atomic.AtomicReference<Double> probeAccuracy = new java.util.concurrent.atomic.AtomicReference<>(Double.NaN);

    /**
     * @param probe   an out-of-domain probe set ({@code RLAIF_TRAINER_PROBE_DATA}) measured every round, or NONE
     * @param onFatal what to do when the loop stops for good (the service process exits non-zero)
     */
    public TrainerService(dev.rlaif.common.config.KafkaSettings kafka, TrainerConfig config, MeterRegistry metrics,
                          dev.rlaif.trainer.round.ProbeSet probe, java.util.function.Consumer<Throwable> onFatal) {
        this.kafka = kafka;
        this.config = config;
        this.metrics = metrics;
        this.probe = probe;
        this.onFatal = onFatal;
    }

    public TrainerService(dev.rlaif.common.config.KafkaSettings kafka, TrainerConfig config, MeterRegistry metrics,
                          java.util.function.Consumer<Throwable> onFatal) {
        this(kafka, config, metrics, dev.rlaif.trainer.round.ProbeSet.NONE, onFatal);
    }

    public TrainerService(dev.rlaif.common.config.KafkaSettings kafka, TrainerConfig config, MeterRegistry metrics) {
        this(kafka, config, metrics, dev.rlaif.trainer.round.ProbeSet.NONE, e -> { });
    }

    @Override
    public String name() {
        return "trainer";
    }

    static Supplier<TextEncoder> encoder(TrainerConfig config) {
        return () -> dev.rlaif.rm.encode.TextEncoders.open(config.encoder(), config.modelsDir().resolve("cache"));
    }

    @Override
    public void start() throws InterruptedException {
        LOG.info("Starting trainer with {}", config.describe());
        lock = TrainerLock.acquire(config.modelsDir());
        store = ModelStore.open(config.modelsDir(), encoder(config));
        Counter rounds = metrics.counter("rlaif_trainer_rounds_total");
        Counter published = metrics.counter("rlaif_trainer_published_total");
        Timer roundTimer = metrics.timer("rlaif_trainer_round_seconds");
        if (!probe.isEmpty()) {
            metrics.gauge("rlaif_trainer_probe_accuracy", probeAccuracy, r -> r.get());
        }
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Clients.consumerConfig(kafka, config.groupId()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        producer = Clients.rawProducer(kafka, "rlaif-trainer");
        topicMetrics = new dev.rlaif.common.metrics.TopicMetrics(name(), metrics).add(consumer).add(producer);
        Map<String, Long> trained = store.latestManifest().map(ModelManifest::dataOffsets).orElse(Map.of());
        LOG.info("Trainer resumes after {} (offsets {})", store.latestManifest().map(ModelManifest::version).orElse("nothing"), trained);
        prefetch = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "trainer-prefetch");
            t.setDaemon(true);
            return t;
        });
        RoundRunner runner = new RoundRunner(store, config, probe);
        handler = new TrainerHandler(config, trained, (train, gold, offsets) -> {
            awaitPrefetch();
            return roundTimer.recordCallable(() -> runner.run(train, gold, offsets));
        }, new TrainerHandler.Listener() {
            @Override
            public void arrived(List<PreferenceLabel> labels) {
                prefetch(labels);
            }

            @Override
            public void roundDone(RoundRunner.Outcome outcome) {
                rounds.increment();
                Double probed = outcome.event().getMetrics().get("probe_accuracy");
                if (probed != null) {
                    probeAccuracy.set(probed);
                }
                if (outcome.published()) {
                    published.increment();
                }
                Double accuracy = outcome.event().getMetrics().get("accuracy");
                if (accuracy != null) {
                    // one series per version: the dashboard plots accuracy against version
                    io.micrometer.core.instrument.Gauge.builder("rlaif_trainer_version_accuracy", accuracy, Double::doubleValue)
                            .description("gold-set accuracy of a trained version").tag("version", outcome.event().getVersion())
                            .tag("published", Boolean.toString(outcome.published())).strongReference(true).register(metrics);
                }
            }
        }, MAX_ROUND_FAILURES, System::currentTimeMillis);
        AvroSerdes serdes = AvroSerdes.from(kafka);
        // every partition replayed from the beginning (the buffer is rebuilt from the compacted topic); one trainer
        // per cluster, so no group membership; commits go to the group so that its lag is what is left to train
        runtime = ConsumerRuntime.<PreferenceLabel>builder()
                .service("trainer")
                .source(Topics.PREFERENCES.name(), serdes.deserializer())
                .consumer(consumer)
                .producer(producer, serdes.serializer())
                .handler(handler)
                .subscribe(false)
                .offsets(OffsetStore.kafkaFromBeginning())
                .tombstones(true)
                .maxInFlight(Integer.MAX_VALUE)
                .pollTimeout(Duration.ofMillis(200))
                .shutdownGrace(Duration.ZERO)
                .metrics(metrics)
                .onFatal(onFatal)
                .build();
        runtime.start();
    }

    /**
     * Embeds newly arrived labels' texts on another thread while a round trains, so the next round finds them in
     * the embedding cache and spends its time training.
     */
    private void prefetch(List<PreferenceLabel> labels) {
        lastPrefetch = prefetch.submit(() -> {
            try {
                var fx = new dev.rlaif.rm.feature.FeatureExtractor(store.encoder(), config.spec(store.encoder()));
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

    /**
     * The prefetch thread is embedding the pending labels already: let it finish (FIFO, so waiting for the last
     * task waits for all) instead of embedding the same texts a second time in parallel.
     */
    private void awaitPrefetch() throws InterruptedException {
        if (lastPrefetch != null) {
            try {
                lastPrefetch.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                LOG.debug("Prefetch not finished: the round embeds what is missing: {}", e.toString());
            }
        }
    }

    /** False while labels wait for a round, a round runs, or the topic is not read to its end. */
    @Override
    public boolean idle() {
        return handler == null || handler.idle();
    }

    @Override
    public Health serviceHealth() {
        return runtime == null ? Health.UP : runtime.health();
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
        if (runtime != null) {
            runtime.close();
        }
        if (prefetch != null) {
            prefetch.shutdownNow();
        }
        if (producer != null) {
            producer.close();
        }
        if (topicMetrics != null) {
            topicMetrics.close();
        }
        if (store != null) {
            store.close();
        }
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }
}
