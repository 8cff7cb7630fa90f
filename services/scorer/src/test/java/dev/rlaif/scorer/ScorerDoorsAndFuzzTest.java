package dev.rlaif.scorer;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.testing.Fuzz;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scorer's doors (issue 11, item 5): bearer tokens, a cap on texts never embedded before, and a bounded fuzz
 * (item 7) of 2,000 seeded cases with no 5xx.
 */
class ScorerDoorsAndFuzzTest {

    private static final Logger log = LoggerFactory.getLogger(ScorerDoorsAndFuzzTest.class);

    @TempDir
    Path models;
    ScorerService scorer;
    ModelStore writer;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", models.toString(), "RLAIF_SCORER_ENCODER", "hashing-16",
                "RLAIF_SCORER_PORT", "0", "RLAIF_SCORER_HOST", "127.0.0.1", "RLAIF_SCORER_MAX_BATCH", "64",
                "RLAIF_SCORER_TOKENS", "score-token, second-token", "RLAIF_SCORER_MAX_UNSEEN_TEXTS", "12",
                "RLAIF_MODELS_RECHECK", "100ms", "RLAIF_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
        KafkaSettings kafka = KafkaSettings.fromEnv(env);
        scorer = new ScorerService(ScorerConfig.fromEnv(env, kafka), ServiceContext.of(kafka, env));
        scorer.start();
        writer = ModelStore.open(models, () -> ScorerServiceTest.ENCODER);
        writer.write(new ModelManifest("v000001", null, Instant.now().toString(), ScorerServiceTest.SPEC, 3, 4, Map.of(), Map.of(),
                1, "test", 0, Map.of()), ScorerServiceTest.weights(1));
        writer.publish("v000001");
        // no broker here: the scorer finds the version through its periodic re-check of CURRENT
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> post("/v1/score", ScorerServiceTest.ONE, "score-token").statusCode() != 503);
    }

    @AfterEach
    void stop() {
        scorer.close();
        writer.close();
    }

    HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scorer.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String items(int from, int to) {
        return "{\"items\": [" + IntStream.range(from, to).mapToObj(i -> "{\"prompt\": \"question " + i + "\", \"response\": \"answer " + i + "\"}")
                .collect(Collectors.joining(",")) + "]}";
    }

    @Test
    void tokensAreRequired() throws Exception {
        assertThat(post("/v1/score", ScorerServiceTest.ONE, null).statusCode()).isEqualTo(401);
        assertThat(post("/v1/score", ScorerServiceTest.ONE, "score-toke").statusCode()).isEqualTo(401);
        assertThat(post("/v1/score", ScorerServiceTest.ONE, "score-token").statusCode()).isEqualTo(200);
        assertThat(post("/v1/compare", ScorerServiceTest.PAIR, "second-token").statusCode()).isEqualTo(200);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scorer.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as("health stays open").isEqualTo(200);
    }

    @Test
    void onlyJsonBodiesAreTaken() throws Exception {
        for (String type : new String[]{"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + scorer.port() + "/v1/score"))
                    .POST(HttpRequest.BodyPublishers.ofString(ScorerServiceTest.ONE)).header("Content-Type", type)
                    .header("Authorization", "Bearer score-token").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(type).isEqualTo(415);
            assertThat(r.body()).contains("Content-Type");
        }
        assertThat(post("/v1/score", ScorerServiceTest.ONE, "score-token").statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestOfTooManyUnseenTextsIs413UntilTheyAreEmbedded() throws Exception {
        // 5 items: 5 responses, 5 prompts, 5 joined texts = 15 unseen > 12.
        HttpResponse<String> big = post("/v1/score", items(0, 5), "score-token");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(Json.read(big.body()).get("unseen_texts").asInt()).isEqualTo(15);
        assertThat(Json.read(big.body()).get("field").asText()).isEqualTo("items");
        assertThat(post("/v1/score", items(0, 4), "score-token").statusCode()).isEqualTo(200);
        // 4 of the 5 are embedded now: 3 unseen texts.
        assertThat(post("/v1/score", items(0, 5), "score-token").statusCode()).isEqualTo(200);
        // Repeated texts count once.
        String same = "{\"items\": [" + String.join(",", java.util.Collections.nCopies(40, "{\"prompt\": \"q\", \"response\": \"r\"}")) + "]}";
        assertThat(post("/v1/score", same, "score-token").statusCode()).isEqualTo(200);
    }

    @Test
    void fuzzGetsNo5xx() throws Exception {
        List<String> seeds = List.of(ScorerServiceTest.ONE, ScorerServiceTest.PAIR,
                "{\"prompt\": \"x\", \"response\": \"y\", \"critique\": {\"instruction_following\": 7, \"correctness\": 5, \"style\": 9, \"summary\": \"ok\"}}",
                "{\"items\": [" + ScorerServiceTest.ONE + "," + ScorerServiceTest.ONE + "]}",
                "{\"items\": [" + ScorerServiceTest.PAIR + "]}");
        Fuzz fuzz = new Fuzz(11L, seeds);
        Fuzz.Tally tally = new Fuzz.Tally();
        long start = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
            Fuzz.Case c = fuzz.next();
            String path = fuzz.random().nextBoolean() ? "/v1/score" : "/v1/compare";
            HttpResponse<String> r = Fuzz.post(http, URI.create("http://127.0.0.1:" + scorer.port() + path), c,
                    Map.of("Authorization", fuzz.random().nextInt(20) == 0 ? "Bearer nope" : "Bearer score-token"));
            tally.add(r.statusCode(), c, r.body());
        }
        log.info("scorer fuzz: {} cases in {} s, statuses {}", tally.total(),
                String.format("%.1f", (System.nanoTime() - start) / 1e9), tally.byStatus());
        assertThat(tally.serverErrors()).as("5xx answers").isEmpty();
        assertThat(tally.byStatus()).containsKeys(200, 400, 401, 415);
        assertThat(post("/v1/score", ScorerServiceTest.ONE, "score-token").statusCode()).as("still serving").isEqualTo(200);
    }
}
