package dev.rlaif.router;

import dev.rlaif.common.kafka.StreamsApps;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.router.calibration.Calibration;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * The running router: the {@link RouterTopology} in a Kafka Streams instance (exactly-once, dead-letter handlers
 * from {@link StreamsApps}), with the calibration table published as metrics and as the ServiceContext attribute
 * {@value #CALIBRATION_ATTRIBUTE}.
 */
public final class RouterService implements RlaifService {

    /** Attribute under which the live calibration table is shared with the other services of the JVM. */
    public static final String CALIBRATION_ATTRIBUTE = "rlaif.router.calibration";

    private static final Logger log = LoggerFactory.getLogger(RouterService.class);

    private final ServiceContext context;
    private final RouterConfig config;
    private final Calibration calibration;
    private KafkaStreams streams;

    public RouterService(ServiceContext context) {
        this.context = context;
        this.config = RouterConfig.fromEnv(context.env());
        this.calibration = new Calibration(config.calibrationBuckets());
    }

    @Override
    public String name() {
        return "router";
    }

    @Override
    public void start() {
        log.info("router starting with {}", config.describe());
        calibration.bindTo(context.metrics());
        context.attributes().put(CALIBRATION_ATTRIBUTE, calibration);
        var topology = RouterTopology.buildTopology(AvroSerdes.from(context.kafka()), config, calibration, context.metrics());
        log.debug("router topology:\n{}", topology.describe());
        streams = StreamsApps.start(topology, StreamsApps.properties(context.kafka(), config.applicationId()), Duration.ofSeconds(60));
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(config.applicationId());
    }

    @Override
    public void close() {
        if (streams != null) {
            StreamsApps.stop(streams);
            streams = null;
        }
    }
}
