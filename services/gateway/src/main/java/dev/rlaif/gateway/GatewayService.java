package dev.rlaif.gateway;

import dev.rlaif.common.http.OpsRoutes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.gateway.http.GatewayRoutes;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.gateway.ingest.RecordPublisher;
import dev.rlaif.gateway.ingest.SizeGuard;
import dev.rlaif.gateway.ingest.TopicLimits;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The ingestion gateway: HTTP in, Kafka out ({@code generations}, {@code feedback}). Stateless; scale it out
 * behind a load balancer.
 */
public final class GatewayService implements RlaifService {

    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);

    private final GatewayConfig config;
    private final ServiceContext context;
    private RecordPublisher publisher;
    private Javalin app;

    public GatewayService(GatewayConfig config, ServiceContext context) {
        this.config = config;
        this.context = context;
    }

    private dev.rlaif.common.metrics.TopicMetrics topicMetrics;

    @Override
    public String name() {
        return "gateway";
    }

    @Override
    public void start() {
        log.info("gateway starting with {}", config.describe());
        publisher = new RecordPublisher(context.kafka(), "gateway", Duration.ofSeconds(30));
        topicMetrics = publisher.metrics(name(), context.metrics());
        SizeGuard guard = new SizeGuard(maxRecordBytes());
        log.info("gateway refuses records (and pairs) over {} bytes", guard.maxRecordBytes());
        GatewayRoutes routes = new GatewayRoutes(config, publisher, guard, context.metrics(), Clock.systemUTC());
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            routes.routing(cfg);
            OpsRoutes.add(cfg, context.metrics(), () -> Map.of("status", "up", "service", "gateway"));
        }).start(config.host(), config.port());
    }

    /**
     * The configured record limit, or the smallest {@code max.message.bytes} of {@code generations}, {@code feedback}
     * and {@code pairs} and the producer's {@code max.request.size}, less {@link AvroSerdes#HEADROOM_BYTES}: the same
     * headroom the Streams serdes keep, so a generation the gateway takes makes a pair pairing can write.
     */
    private int maxRecordBytes() {
        if (config.maxRecordBytes() > 0) {
            return config.maxRecordBytes();
        }
        int limit = Clients.maxRequestBytes(context.kafka());
        OptionalInt topics = TopicLimits.maxMessageBytes(context.kafka(),
                List.of(Topics.GENERATIONS.name(), Topics.FEEDBACK.name(), Topics.PAIRS.name()));
        if (topics.isPresent()) {
            limit = Math.min(limit, topics.getAsInt());
        }
        return limit - AvroSerdes.HEADROOM_BYTES;
    }

    /** The port it listens on (the bound one when configured with 0). */
    public int port() {
        return app.port();
    }

    @Override
    public Map<String, String> endpoints() {
        return app == null ? Map.of() : Map.of("http", "http://127.0.0.1:" + app.port());
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        if (topicMetrics != null) {
            topicMetrics.close();
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
