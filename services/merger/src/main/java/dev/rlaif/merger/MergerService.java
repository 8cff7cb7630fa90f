package dev.rlaif.merger;

import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.StreamsService;
import org.apache.kafka.streams.Topology;

import java.util.Map;

/** The running merger: the {@link MergerTopology} in a Kafka Streams instance (exactly-once, dead-letter handlers). */
public final class MergerService extends StreamsService {

    private final MergerConfig config;

    public MergerService(ServiceContext context) {
        this(context, MergerConfig.fromEnv(context.env()));
    }

    private MergerService(ServiceContext context, MergerConfig config) {
        super(context, config.applicationId());
        this.config = config;
    }

    @Override
    public String name() {
        return "merger";
    }

    @Override
    protected Topology buildTopology(AvroSerdes serdes) {
        return MergerTopology.buildTopology(serdes, config, context().metrics());
    }

    @Override
    protected Map<String, ?> describe() {
        return config.describe();
    }
}
