package dev.rlaif.pairing.service;

import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.StreamsService;
import dev.rlaif.pairing.PairingConfig;
import dev.rlaif.pairing.topology.PairingTopology;
import org.apache.kafka.streams.Topology;

import java.util.Map;

/** Runs the pairing topology: reads {@code generations}, writes {@code pairs}. */
public final class PairingService extends StreamsService {

    private final PairingConfig config;

    public PairingService(PairingConfig config, ServiceContext context) {
        super(context, config.applicationId());
        this.config = config;
    }

    @Override
    public String name() {
        return "pairing";
    }

    @Override
    protected Topology buildTopology(AvroSerdes serdes) {
        return PairingTopology.build(config, serdes);
    }

    @Override
    protected Map<String, ?> describe() {
        return config.describe();
    }
}
