package dev.rlaif.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.rm.feature.FeatureSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class ScorerServiceTest {

    static final HashingEncoder ENCODER = new HashingEncoder(16);
    static final FeatureSpec SPEC = new FeatureSpec(ENCODER.id(), 16, 32, true, true);

    @TempDir
    Path models;
    ScorerService scorer;
    ModelStore writer;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", models.toString(), "RLAIF_SCORER_ENCODER", "hashing-16",
                "RLAIF_SCORER_PORT", "0", "RLAIF_SCORER_HOST", "127.0.0.1", "RLAIF_SCORER_MAX_BATCH", "8"));
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        scorer = new ScorerService(ScorerConfig.fromEnv(env, kafka), ServiceContext.of(kafka, env));
        scorer.start();
        writer = ModelStore.open(models, () -> ENCODER);
    }

    @AfterEach
    void stop() {
        scorer.close();
        writer.close();
    }

    static EnsembleWeights weights(long seed) {
        int dim = SPEC.dimension();
        Random r = new Random(seed);
        float[] std = new float[dim];
        Arrays.fill(std, 1f);
        float[][][] w1 = new float[3][4][dim];
        float[][] w2 = new float[3][4];
        for (int h = 0; h < 3; h++) {
            for (int j = 0; j < 4; j++) {
                for (int d = 0; d < dim; d++) {
                    w1[h][j][d] = (float) r.nextGaussian();
                }
                w2[h][j] = (float) r.nextGaussian();
            }
        }
        return new EnsembleWeights(new float[dim], std, w1, new float[3][4], w2, new float[3]);
    }

    void publish(String version, long seed) throws Exception {
        writer.write(new ModelManifest(version, null, Instant.now().toString(), SPEC, 3, 4, Map.of(), Map.of(), 1, "test", 0,
                Map.of()), weights(seed));
        writer.publish(version);
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scorer.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static final String ONE = "{\"prompt\": \"how do I bake bread\", \"response\": \"mix flour and water\"}";
    static final String PAIR = "{\"prompt\": [{\"role\": \"user\", \"content\": \"how do I bake bread\"}],"
            + " \"response_a\": \"mix flour and water\", \"response_b\": \"no idea\"}";

    @Test
    void scoresAndComparesWithTheNamedVersion() throws Exception {
        assertThat(post("/v1/score", ONE).statusCode()).isEqualTo(503);
        publish("v000001", 1);
        HttpResponse<String> one = post("/v1/score", ONE);
        assertThat(one.statusCode()).isEqualTo(200);
        JsonNode s = Json.read(one.body());
        assertThat(s.get("model_version").asText()).isEqualTo("v000001");
        float[] heads = writer.load("v000001").score(List.of(new dev.rlaif.rm.ScoringInput(
                List.of(new dev.rlaif.schema.ChatMessage("user", "how do I bake bread")), "mix flour and water", null)))[0];
        double mean = (heads[0] + heads[1] + heads[2]) / 3.0;
        assertThat(s.get("reward").asDouble()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(s.get("spread").asDouble()).isPositive();

        JsonNode batch = Json.read(post("/v1/score", "{\"items\": [" + ONE + "," + ONE + "]}").body());
        assertThat(batch.get("results")).hasSize(2);
        assertThat(batch.get("results").get(1).get("reward").asDouble()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-4));

        JsonNode cmp = Json.read(post("/v1/compare", PAIR).body());
        assertThat(cmp.get("model_version").asText()).isEqualTo("v000001");
        assertThat(cmp.get("p_a").asDouble()).isBetween(0.0, 1.0);
        JsonNode swapped = Json.read(post("/v1/compare", PAIR.replace("response_a", "tmp").replace("response_b", "response_a")
                .replace("tmp", "response_b")).body());
        assertThat(swapped.get("p_a").asDouble()).isCloseTo(1 - cmp.get("p_a").asDouble(), org.assertj.core.data.Offset.offset(1e-6));

        JsonNode health = Json.read(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scorer.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(health.get("model_version").asText()).isEqualTo("v000001");
    }

    @Test
    void badRequestsNameTheField() throws Exception {
        publish("v000001", 1);
        HttpResponse<String> r = post("/v1/score", "{\"prompt\": \"x\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("response");
        r = post("/v1/compare", "{\"items\": [" + PAIR + ", {\"prompt\": \"x\", \"response_a\": \"y\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("items[1].response_b");
        r = post("/v1/score", "{\"prompt\": \"x\", \"response\": \"y\", \"critique\": {\"correctness\": 11}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("critique.instruction_following");
        assertThat(post("/v1/score", "{\"items\": [" + String.join(",", java.util.Collections.nCopies(9, ONE)) + "]}").body())
                .contains("at most 8");
        assertThat(post("/v1/score", "not json").statusCode()).isEqualTo(400);
    }

    @Test
    void hotReloadFailsNoRequest() throws Exception {
        publish("v000001", 1);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread c = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        HttpResponse<String> r = post("/v1/compare", PAIR);
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode());
                        } else {
                            seen.add(Json.read(r.body()).get("model_version").asText());
                        }
                    } catch (Exception e) {
                        failures.add(-1);
                    }
                }
            });
            c.start();
            clients.add(c);
        }
        // Publish each version once the clients are being served the previous one (conditions, not sleeps: the
        // machine may be loaded).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> seen.contains("v000001"));
        publish("v000002", 2);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> seen.contains("v000002"));
        publish("v000003", 3);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> seen.contains("v000003"));
        stop.set(true);
        for (Thread c : clients) {
            c.join();
        }
        assertThat(failures).isEmpty();
        assertThat(seen).contains("v000001", "v000002", "v000003");
        assertThat(Json.read(post("/v1/score", ONE).body()).get("model_version").asText()).isEqualTo("v000003");
    }
}
