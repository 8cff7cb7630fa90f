package dev.rlaif.common.kafka;

import dev.rlaif.common.config.KafkaSettings;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Settings and start-up shared by the project's Kafka Streams services: exactly-once v2, dead-letter handlers
 * (deserialization, processing and production: see {@link ProductionDeadLetterHandler}), and on an unexpected error
 * a replaced thread, with backoff and a bound ({@link ThreadReplacements}), not a dead application.
 */
public final class StreamsApps {

    private static final Logger log = LoggerFactory.getLogger(StreamsApps.class);

    private StreamsApps() {
    }

    /** Streams properties for {@code applicationId}; state lives under {@code stateDir/streams}. */
    public static Properties properties(KafkaSettings settings, String applicationId) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().resolve("streams").toAbsolutePath().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.replicationFactor());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        p.put("processing.exception.handler.global.enabled", true);
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, ProductionDeadLetterHandler.class);
        p.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        p.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 1_000);
        tuning(p, System.getenv());
        // TLS, SASL and limits from RLAIF_KAFKA_*: Streams hands unprefixed properties to all its clients.
        p.putAll(settings.clientProperties());
        return p;
    }

    /**
     * Throughput knobs (defaults favour latency and order): {@code RLAIF_STREAMS_COMMIT_INTERVAL_MS} (200),
     * {@code RLAIF_STREAMS_CACHE_MAX_BYTES} (0) and {@code RLAIF_STREAMS_MAX_TASK_IDLE_MS} (Kafka's 0: a task whose
     * other inputs have records on the broker waits to fetch them, so it processes its inputs in timestamp order;
     * -1 processes what is buffered at once), read from the environment like every setting.
     */
    static void tuning(Properties p, Map<String, String> env) {
        number(p, env, "RLAIF_STREAMS_COMMIT_INTERVAL_MS", StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        number(p, env, "RLAIF_STREAMS_CACHE_MAX_BYTES", StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG);
        number(p, env, "RLAIF_STREAMS_MAX_TASK_IDLE_MS", StreamsConfig.MAX_TASK_IDLE_MS_CONFIG);
    }

    private static void number(Properties p, Map<String, String> env, String variable, String property) {
        String v = env.get(variable);
        if (v == null || v.isBlank()) {
            return;
        }
        try {
            p.put(property, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a whole number, was " + v, e);
        }
    }

    /** Starts a topology and waits until it is running (or fails within the timeout). */
    public static KafkaStreams start(Topology topology, Properties props, Duration timeout) {
        return start(topology, props, timeout, () -> { });
    }

    /**
     * Starts a topology and waits until it is running (or fails within the timeout); {@code onError} runs once if the
     * application later fails for good (state ERROR: {@link ThreadReplacements} gave up).
     */
    public static KafkaStreams start(Topology topology, Properties props, Duration timeout, Runnable onError) {
        KafkaStreams streams = new KafkaStreams(topology, props);
        String app = props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        streams.setUncaughtExceptionHandler(new ThreadReplacements(app, Clock.systemUTC(), ThreadReplacements::sleep));
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) {
                onError.run();
            }
        });
        streams.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException(app + " failed to start: " + streams.state());
            }
            if (System.nanoTime() > deadline) {
                log.warn("{}: not running yet after {}; going on (state {})", app, timeout, streams.state());
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return streams;
    }

    /**
     * Stops a Streams application and leaves its group, so a replacement instance takes the partitions at once
     * rather than after the session timeout.
     */
    public static void stop(KafkaStreams streams) {
        if (streams != null) {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
        }
    }
}
