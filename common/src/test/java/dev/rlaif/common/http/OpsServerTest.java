package dev.rlaif.common.http;

import dev.rlaif.common.json.Json;
import dev.rlaif.common.service.RlaifService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(OpsServer ops, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static RlaifService service(String name, AtomicReference<String> status) {
        return new RlaifService() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() {
            }

            @Override
            public Map<String, Object> healthReport() {
                return Map.of("status", status.get());
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void healthIsStartingThenUpThenDownNamingTheServiceThatIsNot() throws Exception {
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.counter("rlaif_test_things_total").increment(3);
        AtomicReference<String> pairing = new AtomicReference<>("up");
        try (OpsServer ops = OpsServer.start(new OpsConfig("127.0.0.1", 0), metrics)) {
            HttpResponse<String> starting = get(ops, "/health");
            assertThat(starting.statusCode()).isEqualTo(503);
            assertThat(Json.read(starting.body()).get("status").asText()).isEqualTo("starting");

            ops.watch(service("gateway", new AtomicReference<>("up")));
            ops.watch(service("pairing", pairing));
            ops.started();
            assertThat(get(ops, "/health").statusCode()).isEqualTo(200);

            pairing.set("down");
            HttpResponse<String> down = get(ops, "/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(Json.read(down.body()).at("/services/pairing/status").asText()).isEqualTo("down");
            assertThat(Json.read(down.body()).at("/services/gateway/status").asText()).isEqualTo("up");

            HttpResponse<String> scrape = get(ops, "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("rlaif_test_things_total 3.0");
        }
    }

    @Test
    void theConfigIsOffUnlessAPortIsGivenAndRefusesPortsOutOfRange() {
        assertThat(OpsConfig.fromEnv(new dev.rlaif.common.config.Env(Map.of())).enabled()).isFalse();
        assertThat(OpsConfig.fromEnv(new dev.rlaif.common.config.Env(Map.of("RLAIF_OPS_PORT", "9400"))).port()).isEqualTo(9400);
        assertThatThrownBy(() -> OpsConfig.fromEnv(new dev.rlaif.common.config.Env(Map.of("RLAIF_OPS_PORT", "70000"))))
                .hasMessageContaining("RLAIF_OPS_PORT");
    }
}
