package dev.rlaif.router;

import dev.rlaif.router.quality.JudgeQualityConfig;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.service.StreamsService;
import dev.rlaif.router.calibration.Calibration;
import org.apache.kafka.streams.Topology;

import java.util.Map;

/**
 * The running router: the {@link RouterTopology} in a Kafka Streams instance (exactly-once, dead-letter handlers),
 * with the calibration table published as metrics and as the ServiceContext attribute {@value #CALIBRATION_ATTRIBUTE}.
 */
public final class RouterService extends StreamsService {

    /** Attribute under which the live calibration table is shared with the other services of the JVM. */
    public static final String CALIBRATION_ATTRIBUTE = "rlaif.router.calibration";

    private final RouterConfig config;
    private final Calibration calibration;

    public RouterService(ServiceContext context) {
        this(context, RouterConfig.fromEnv(context.env()));
    }

    private RouterService(ServiceContext context, RouterConfig config) {
        super(context, config.applicationId());
        this.config = config;
        this.calibration = new Calibration(config.calibrationBuckets());
    }

    @Override
    public String name() {
        return "router";
    }

    @Override
    protected Topology buildTopology(AvroSerdes serdes) {
        calibration.bindTo(context().metrics());
        context().attributes().put(CALIBRATION_ATTRIBUTE, calibration);
        return RouterTopology.buildTopology(serdes, config, calibration, context().metrics(),
                JudgeQualityConfig.fromEnv(context().env()));
    }

    @Override
    protected Map<String, ?> describe() {
        return config.describe();
    }
}
