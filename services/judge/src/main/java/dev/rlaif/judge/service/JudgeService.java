package dev.rlaif.judge.service;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.consume.ConsumerRuntime;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.Health;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.ComparisonPair;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The judge service: a {@link JudgeHandler} on the {@link ConsumerRuntime}, reading {@code pairs} and writing
 * {@code critiques} and {@code judgments}; an undecodable pair goes to {@code pairs.dlq} with the reason.
 *
 * <p>Delivery: a pair's offset becomes committable only once its outputs are acknowledged (contiguous runs of
 * finished offsets), so a crash re-judges at most the pairs in flight and loses none. A failed write is written
 * again with backoff (never judged again); after the bounded retries the service stops, reports DOWN and its
 * process exits non-zero. Back-pressure: at most {@code maxPendingPairs} pairs in flight; past that the consumer
 * pauses its partitions (staying in the group). Requests to the model server are bounded separately.
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
    private final java.util.function.Consumer<Throwable> onFatal;
    private ConsumerRuntime<ComparisonPair> runtime;
    private KafkaProducer<byte[], byte[]> producer;
    private dev.rlaif.common.metrics.TopicMetrics topicMetrics;

    /**
     * @param warmUp  runs once before consuming (the critique cache's preload); may be a no-op
     * @param onFatal what to do when the loop stops for good (the service process exits non-zero)
     */
    public JudgeService(KafkaSettings kafka, PairJudge judge, String groupId, int maxPendingPairs,
                        Duration shutdownGrace, Runnable warmUp, MeterRegistry metrics, Clock clock,
                        java.util.function.Consumer<Throwable> onFatal) {
        this.kafka = kafka;
        this.judge = judge;
        this.groupId = groupId;
        this.maxPendingPairs = maxPendingPairs;
        this.shutdownGrace = shutdownGrace;
        this.warmUp = warmUp;
        this.metrics = metrics;
        this.clock = clock;
        this.onFatal = onFatal;
    }

    public JudgeService(KafkaSettings kafka, PairJudge judge, String groupId, int maxPendingPairs,
                        Duration shutdownGrace, Runnable warmUp, MeterRegistry metrics, Clock clock) {
        this(kafka, judge, groupId, maxPendingPairs, shutdownGrace, warmUp, metrics, clock, e -> { });
    }

    /** The judge's runtime on the given clients: one place for its settings, shared with the tests. */
    static ConsumerRuntime<ComparisonPair> runtime(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer,
                                                   Serializer<SpecificRecord> values, Deserializer<ComparisonPair> pairs,
                                                   JudgeHandler handler, int maxPendingPairs, Duration shutdownGrace,
                                                   MeterRegistry metrics, java.util.function.Consumer<Throwable> onFatal) {
        return ConsumerRuntime.<ComparisonPair>builder()
                .service(SERVICE)
                .source(Topics.PAIRS.name(), pairs)
                .consumer(consumer)
                .producer(producer, values)
                .handler(handler)
                .maxInFlight(maxPendingPairs)
                .retries(5, Duration.ofMillis(200), Duration.ofSeconds(10))
                .shutdownGrace(shutdownGrace)
                .metrics(metrics)
                .onFatal(onFatal)
                .build();
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
        return runtime == null || runtime.inFlight() == 0;
    }

    /** Pairs taken from the topic whose outputs are not yet acknowledged. */
    public int inFlight() {
        return runtime == null ? 0 : runtime.inFlight();
    }

    @Override
    public Health serviceHealth() {
        return runtime == null ? Health.UP : runtime.health();
    }

    @Override
    public void start() throws Exception {
        log.info("judge: {}", judge.describe());
        warmUp.run();
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(kafka, groupId));
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPendingPairs);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        producer = Clients.rawProducer(kafka, groupId + "-out");
        topicMetrics = new dev.rlaif.common.metrics.TopicMetrics(SERVICE, metrics).add(consumer).add(producer);
        AvroSerdes serdes = AvroSerdes.from(kafka);
        metrics.gauge("rlaif_judge_pairs_in_flight", this, JudgeService::inFlight);
        runtime = runtime(consumer, producer, serdes.serializer(), serdes.deserializer(),
                new JudgeHandler(judge, metrics, clock), maxPendingPairs, shutdownGrace, metrics, onFatal);
        runtime.start();
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (topicMetrics != null) {
            topicMetrics.close();
        }
        judge.close();
    }
}
