package dev.rlaif.gateway;

import dev.rlaif.common.http.OpsRoutes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.gateway.http.GatewayRoutes;
import dev.rlaif.gateway.ingest.RecordPublisher;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

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
        GatewayRoutes routes = new GatewayRoutes(config, publisher, context.metrics(), Clock.systemUTC());
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            routes.routing(cfg);
            OpsRoutes.add(cfg, context.metrics(), () -> Map.of("status", "up", "service", "gateway"));
        }).start(config.host(), config.port());
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
