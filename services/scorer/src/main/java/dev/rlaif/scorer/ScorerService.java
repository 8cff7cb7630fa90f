package dev.rlaif.scorer;

import dev.rlaif.common.http.OpsRoutes;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.encode.TextEncoders;
import dev.rlaif.scorer.http.ScoreRoutes;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the published reward model over HTTP ({@link ScoreRoutes}); reads no topic: it follows the models
 * directory the trainer publishes into (the trainer announces versions on {@code model-versions}; the directory's
 * CURRENT pointer is what the scorer loads, checked on every request, so a new version is served on the next
 * request without a restart).
 */
public final class ScorerService implements RlaifService {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

    private final ScorerConfig config;
    private final ServiceContext context;
    private ModelStore store;
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
        ScoreRoutes routes = new ScoreRoutes(store, config.maxBatch(), context.metrics());
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
        m.put("model_version", store.current().map(RewardModel::version).orElse(null));
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
        if (store != null) {
            store.close();
        }
    }
}
