package dev.rlaif.merger;

import dev.rlaif.common.kafka.StreamsApps;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/** The running merger: the {@link MergerTopology} in a Kafka Streams instance (exactly-once, dead-letter handlers). */
public final class MergerService implements RlaifService {

    private static final Logger log = LoggerFactory.getLogger(MergerService.class);

    private final ServiceContext context;
    private final MergerConfig config;
    private KafkaStreams streams;

    public MergerService(ServiceContext context) {
        this.context = context;
        this.config = MergerConfig.fromEnv(context.env());
    }

    @Override
    public String name() {
        return "merger";
    }

    @Override
    public void start() {
        log.info("merger starting with {}", config.describe());
        var topology = MergerTopology.buildTopology(AvroSerdes.from(context.kafka()), config, context.metrics());
        log.debug("merger topology:\n{}", topology.describe());
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
