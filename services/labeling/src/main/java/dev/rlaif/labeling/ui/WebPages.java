package dev.rlaif.labeling.ui;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the labeling page ({@code /}) and the admin stats page ({@code /admin}) with their CSS and JavaScript:
 * plain files under {@code src/main/resources/web}, no build step. The pages call the REST API with the token the
 * person signs in with.
 */
public final class WebPages {

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    public void routes(JavalinConfig cfg) {
        cfg.routes.get("/", ctx -> serve(ctx, "index.html"));
        cfg.routes.get("/admin", ctx -> serve(ctx, "admin.html"));
        cfg.routes.get("/static/{file}", ctx -> {
            String file = ctx.pathParam("file");
            if (!file.matches("[a-z0-9-]+\\.(css|js|svg)")) {
                ctx.status(404).result("not found");
                return;
            }
            serve(ctx, file);
        });
    }

    private void serve(Context ctx, String file) {
        byte[] body = cache.computeIfAbsent(file, WebPages::load);
        if (body.length == 0) {
            ctx.status(404).result("not found");
            return;
        }
        ctx.contentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1)));
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.result(body);
    }

    private static byte[] load(String file) {
        try (InputStream in = WebPages.class.getResourceAsStream("/web/" + file)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
