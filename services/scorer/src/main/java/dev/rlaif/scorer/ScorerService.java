package dev.rlaif.scorer;

import dev.rlaif.common.http.BearerTokens;
import dev.rlaif.common.http.OpsRoutes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.versions.ModelReloader;
import dev.rlaif.rm.versions.ModelVersionsListener;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.encode.TextEncoders;
import dev.rlaif.scorer.http.ScoreRoutes;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the published reward model over HTTP ({@link ScoreRoutes}). Reads {@code model-versions}: each published
 * version the trainer announces is loaded from the shared models directory, checked against the event's checksum,
 * and served from the next request on ({@link ModelReloader}); a missing or half-written version is refused and
 * retried while the previous one is served. At start it serves what the directory's CURRENT names.
 */
public final class ScorerService implements RlaifService {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

    private final ScorerConfig config;
    private final ServiceContext context;
    private ModelStore store;
    private ModelReloader reloader;
    private ModelVersionsListener versions;
    private Javalin app;

    public ScorerService(ScorerConfig config, ServiceContext context) {
        this.config = config;
        this.context = context;
    }

    @Override
    public String name() {
        return "scorer";
    }

    @Override
    public void start() {
        LOG.info("Starting scorer with {}", config.describe());
        store = ModelStore.open(config.modelsDir(), () -> TextEncoders.open(config.encoder(), config.modelsDir().resolve("cache")));
        reloader = ModelReloader.of(store);
        versions = new ModelVersionsListener(context.kafka(), reloader, ModelVersionsListener.recheckInterval(context.env()), "rlaif-scorer");
        versions.start();
        ScoreRoutes routes = new ScoreRoutes(reloader, store::encoder, config.maxBatch(), config.maxUnseenTexts(),
                new BearerTokens(config.tokens()), context.metrics());
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            routes.routing(cfg);
            OpsRoutes.add(cfg, context.metrics(), this::health);
        }).start(config.host(), config.port());
    }

    private Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "up");
        m.put("service", "scorer");
        m.put("model_version", reloader.version().orElse(null));
        reloader.pendingVersion().ifPresent(v -> m.put("model_version_pending", v));
        return m;
    }

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
        if (versions != null) {
            versions.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
