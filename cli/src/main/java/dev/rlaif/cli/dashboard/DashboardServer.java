package dev.rlaif.cli.dashboard;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live dashboard of {@code ./rlaif demo} and {@code ./rlaif up}: a page ({@code /}) drawing the pipeline with
 * its live rates and plots over time (uPlot, served from the jar: no CDN), fed by {@code GET /api/dashboard}, which
 * aggregates the {@code rlaif_*} metrics of the services running in this process, sampled every
 * {@code interval}.
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8");

    private final MeterRegistry registry;
    private final MetricsHistory history;
    private final ScheduledExecutorService sampler;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private Javalin app;

    public DashboardServer(MeterRegistry registry, Duration interval, int keep) {
        this.registry = registry;
        this.history = new MetricsHistory(keep);
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Samples every 2 s and keeps 30 minutes. */
    public static DashboardServer start(MeterRegistry registry, String host, int port) {
        DashboardServer d = new DashboardServer(registry, Duration.ofSeconds(2), 900);
        d.listen(host, port);
        return d;
    }

    private void sample() {
        try {
            history.sample(registry, System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.debug("dashboard sample failed: {}", e.toString());
        }
    }

    void listen(String host, int port) {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.routes.get("/", ctx -> serve(ctx, "index.html"));
            cfg.routes.get("/dashboard.js", ctx -> serve(ctx, "dashboard.js"));
            cfg.routes.get("/dashboard.css", ctx -> serve(ctx, "dashboard.css"));
            cfg.routes.get("/vendor/uPlot.iife.min.js", ctx -> serve(ctx, "vendor/uplot/uPlot.iife.min.js"));
            cfg.routes.get("/vendor/uPlot.min.css", ctx -> serve(ctx, "vendor/uplot/uPlot.min.css"));
            cfg.routes.get("/api/dashboard", ctx -> ctx.header("Cache-Control", "no-cache").json(DashboardModel.build(history.all())));
        }).start(host, port);
    }

    public String url() {
        return "http://localhost:" + app.port() + "/";
    }

    private void serve(Context ctx, String file) {
        byte[] body = files.computeIfAbsent(file, DashboardServer::load);
        if (body.length == 0) {
            ctx.status(404).result("not found");
            return;
        }
        ctx.contentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.result(body);
    }

    private static byte[] load(String file) {
        try (InputStream in = DashboardServer.class.getResourceAsStream("/web/dashboard/" + file)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        if (app != null) {
            app.stop();
        }
    }
}
