package dev.rlaif.common.http;

import dev.rlaif.common.service.RlaifService;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The operational port of a service process ({@code RLAIF_OPS_PORT}): {@code GET /health} and {@code GET /metrics}
 * for every service, the Kafka Streams and consumer services too, which serve no HTTP of their own. Container
 * health checks, Kubernetes probes and Prometheus all use this port, the same for every service.
 *
 * <p>{@code /health} answers 503 {@code "starting"} until {@link #started()} is called, then 200 while every
 * service's {@link RlaifService#healthReport()} says {@code "up"}, and 503 naming the service that is not.
 */
public final class OpsServer implements AutoCloseable {

    private final Javalin app;
    private final List<RlaifService> services = new CopyOnWriteArrayList<>();
    private volatile boolean started;

    private OpsServer(OpsConfig config, PrometheusMeterRegistry metrics) {
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            OpsRoutes.add(cfg, metrics, this::health);
        }).start(config.host(), config.port());
    }

    /** Starts serving at once: probes see "starting" while the services start. */
    public static OpsServer start(OpsConfig config, PrometheusMeterRegistry metrics) {
        return new OpsServer(config, metrics);
    }

    /** Adds a service whose health counts. */
    public void watch(RlaifService service) {
        services.add(service);
    }

    /** Every service has started: from now on health is theirs. */
    public void started() {
        started = true;
    }

    public int port() {
        return app.port();
    }

    /** The health document: {@code status} is "up" only when started and every service is up. */
    public Map<String, Object> health() {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> each = new LinkedHashMap<>();
        boolean up = started;
        for (RlaifService s : services) {
            Map<String, Object> h = s.healthReport();
            each.put(s.name(), h);
            up &= "up".equals(h.getOrDefault("status", "up"));
        }
        doc.put("status", !started ? "starting" : up ? "up" : "down");
        doc.put("services", each);
        return doc;
    }

    @Override
    public void close() {
        app.stop();
    }
}
