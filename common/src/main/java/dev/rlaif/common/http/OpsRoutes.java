package dev.rlaif.common.http;

import io.javalin.config.JavalinConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The operational routes every HTTP service serves: {@code GET /health} (JSON, 200 when up, 503 when not) and
 * {@code GET /metrics} (Prometheus text format).
 */
public final class OpsRoutes {

    private OpsRoutes() {
    }

    /**
     * Adds /health and /metrics to a Javalin configuration.
     *
     * @param health returns the health document; a {@code "status"} entry other than {@code "up"} answers 503
     */
    public static void add(JavalinConfig config, PrometheusMeterRegistry metrics, Supplier<Map<String, Object>> health) {
        config.routes.get("/health", ctx -> {
            Map<String, Object> doc = health.get();
            ctx.status("up".equals(doc.getOrDefault("status", "up")) ? 200 : 503).json(doc);
        });
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    }
}
