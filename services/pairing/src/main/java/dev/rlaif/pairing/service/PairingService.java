package dev.rlaif.pairing.service;

import dev.rlaif.common.kafka.StreamsApps;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.pairing.PairingConfig;
import dev.rlaif.pairing.topology.PairingTopology;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/** Runs the pairing topology: reads {@code generations}, writes {@code pairs}. */
public final class PairingService implements RlaifService {

    private static final Logger log = LoggerFactory.getLogger(PairingService.class);

    private final PairingConfig config;
    private final ServiceContext context;
    private KafkaStreams streams;
    private KafkaStreamsMetrics metrics;

    public PairingService(PairingConfig config, ServiceContext context) {
        this.config = config;
        this.context = context;
    }

    @Override
    public String name() {
        return "pairing";
    }

    @Override
    public void start() {
        log.info("pairing starting with {}", config.describe());
        var topology = PairingTopology.build(config, AvroSerdes.from(context.kafka()));
        streams = StreamsApps.start(topology, StreamsApps.properties(context.kafka(), config.applicationId()), Duration.ofSeconds(60));
        metrics = new KafkaStreamsMetrics(streams);
        metrics.bindTo(context.metrics());
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(config.applicationId());
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        StreamsApps.stop(streams);
    }
}
