package dev.rlaif.common.service;

import dev.rlaif.common.kafka.StreamsApps;
import dev.rlaif.common.serde.AvroSerdes;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle every Kafka Streams service shares: build the topology, run it with {@link StreamsApps}'s settings
 * (exactly-once, dead-letter handlers), report its metrics, leave the group on close. A service only says what its
 * topology is.
 */
public abstract class StreamsService implements RlaifService {

    private static final Logger log = LoggerFactory.getLogger(StreamsService.class);

    private final ServiceContext context;
    private final String applicationId;
    private KafkaStreams streams;
    private KafkaStreamsMetrics metrics;
    private dev.rlaif.common.metrics.TopicMetrics topicMetrics;

    protected StreamsService(ServiceContext context, String applicationId) {
        this.context = context;
        this.applicationId = applicationId;
    }

    /** The topology to run; called once, at start. */
    protected abstract Topology buildTopology(AvroSerdes serdes);

    /** The service's settings, for the start-up log (no secrets). */
    protected abstract Map<String, ?> describe();

    protected ServiceContext context() {
        return context;
    }

    @Override
    public final void start() {
        log.info("{} starting with {}", name(), describe());
        Topology topology = buildTopology(AvroSerdes.from(context.kafka()));
        log.debug("{} topology:\n{}", name(), topology.describe());
        streams = StreamsApps.start(topology, StreamsApps.properties(context.kafka(), applicationId), Duration.ofSeconds(60),
                () -> context.fatal(name(), new IllegalStateException(applicationId + " stopped: its stream threads kept failing")));
        metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(context.metrics());
        topicMetrics = new dev.rlaif.common.metrics.TopicMetrics(name(), context.metrics()).add(streams::metrics);
    }

    /** Up while the Streams client runs or rebalances; down when it stopped or failed (ERROR, NOT_RUNNING). */
    @Override
    public Map<String, Object> healthReport() {
        KafkaStreams s = streams;
        KafkaStreams.State state = s == null ? KafkaStreams.State.NOT_RUNNING : s.state();
        boolean up = state.isRunningOrRebalancing();
        return Map.of("status", up ? "up" : "down", "streams", state.name());
    }

    @Override
    public final List<String> consumerGroups() {
        return List.of(applicationId);
    }

    @Override
    public final void close() {
        if (topicMetrics != null) {
            topicMetrics.close();
            topicMetrics = null;
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        StreamsApps.stop(streams);
        streams = null;
    }
}
