package dev.rlaif.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.dataset.GenerationJson;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.pairing.PairingConfig;
import dev.rlaif.pairing.service.PairingService;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.FeedbackKind;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The gateway and the pairing service against a real broker: HTTP in, pairs out, nothing lost or doubled. */
@Tag("broker")
class GatewayBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static GatewayService gateway;
    private static GatewayService securedGateway;
    private static PairingService pairing;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ServiceContext ctx = ServiceContext.of(broker.settings(), new Env(Map.of()));
        gateway = new GatewayService(config(Set.of(), 1 << 20), ctx);
        gateway.start();
        securedGateway = new GatewayService(config(Set.of("s3cret"), 4096), ctx);
        securedGateway.start();
        pairing = new PairingService(new PairingConfig("pairing-it", 4, Duration.ofHours(1), 100), ctx);
        pairing.start();
    }

    private static GatewayConfig config(Set<String> tokens, long maxBody) {
        return new GatewayConfig("127.0.0.1", 0, maxBody, 100, false, tokens, GenerationJson.Limits.DEFAULT);
    }

    @AfterAll
    static void stop() {
        pairing.close();
        gateway.close();
        securedGateway.close();
    }

    private static HttpResponse<String> post(GatewayService g, String path, String contentType, String body,
                                             String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String generation(String prompt, String id, String response) {
        return Json.write(Map.of("generation_id", id, "prompt_id", prompt, "prompt", "Question " + prompt,
                "response", response, "policy_model", "policy-1"));
    }

    @Test
    void generationsPostedOverHttpBecomeExactlyTheExpectedPairs() throws Exception {
        // 15 prompts x 3 distinct responses, sent in two batches, the second batch repeating the first's records.
        String first = IntStream.range(0, 15).mapToObj(p -> generation("q" + p, "q" + p + "-1", "one " + p) + "\n"
                + generation("q" + p, "q" + p + "-2", "two " + p)).collect(Collectors.joining("\n"));
        String second = first + "\n" + IntStream.range(0, 15)
                .mapToObj(p -> generation("q" + p, "q" + p + "-3", "three " + p)).collect(Collectors.joining("\n"));
        HttpResponse<String> r1 = post(gateway, "/v1/generations", "application/x-ndjson", first, null);
        assertThat(r1.statusCode()).isEqualTo(202);
        assertThat(Json.read(r1.body()).get("accepted").asInt()).isEqualTo(30);
        HttpResponse<String> r2 = post(gateway, "/v1/generations", "application/x-ndjson", second, null);
        assertThat(r2.statusCode()).isEqualTo(202);

        Set<String> expected = new HashSet<>();
        for (int p = 0; p < 15; p++) {
            expected.add(PairIds.pairId("q" + p + "-1", "q" + p + "-2"));
            expected.add(PairIds.pairId("q" + p + "-1", "q" + p + "-3"));
            expected.add(PairIds.pairId("q" + p + "-2", "q" + p + "-3"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> TopicReader.readAll(broker.settings(), Topics.PAIRS).size() >= 45);
        Thread.sleep(1000);
        List<ComparisonPair> pairs = TopicReader.readAll(broker.settings(), Topics.PAIRS).stream()
                .filter(r -> r.value().getPromptId().startsWith("q")).map(r -> r.value()).toList();
        assertThat(pairs).extracting(ComparisonPair::getPairId).as("no loss, no duplicate").containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aBatchWithABadLineIsRejectedWholeAndEveryBadFieldIsNamed() throws Exception {
        String body = generation("bad", "b1", "fine") + "\n{\"prompt_id\": \"bad\", \"prompt\": [], \"policy_model\": 3}\n{oops";
        HttpResponse<String> r = post(gateway, "/v1/generations", "application/x-ndjson", body, null);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode json = Json.read(r.body());
        assertThat(json.get("accepted").asInt()).isZero();
        List<String> where = json.get("errors").findValuesAsText("field");
        assertThat(json.get("errors").findValues("line")).extracting(JsonNode::asInt).contains(2, 3);
        assertThat(where).contains("prompt", "response", "policy_model", "$");
        assertThat(TopicReader.readAll(broker.settings(), Topics.GENERATIONS))
                .noneMatch(rec -> rec.value().getPromptId().equals("bad"));
    }

    @Test
    void partialModeAcceptsTheGoodLinesAndReportsTheBadOnes() throws Exception {
        String body = generation("part", "pt1", "fine") + "\n" + "{\"prompt_id\": \"part\"}";
        HttpResponse<String> r = post(gateway, "/v1/generations?partial=true", "application/x-ndjson", body, null);
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode json = Json.read(r.body());
        assertThat(json.get("accepted").asInt()).isEqualTo(1);
        assertThat(json.get("rejected").asInt()).isEqualTo(1);
        assertThat(json.get("errors").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(TopicReader.readAll(broker.settings(), Topics.GENERATIONS))
                .anyMatch(rec -> rec.value().getGenerationId().equals("pt1") && rec.key().equals("part"));
    }

    @Test
    void wrongContentTypeTooLargeAndUnauthenticatedRequestsAreRefusedClearly() throws Exception {
        HttpResponse<String> wrongType = post(gateway, "/v1/generations", "text/plain", "x", null);
        assertThat(wrongType.statusCode()).isEqualTo(415);
        String big = generation("big", "big1", "x".repeat(5000));
        HttpResponse<String> tooLarge = post(securedGateway, "/v1/generations", "application/json", big, "s3cret");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(post(securedGateway, "/v1/generations", "application/json", generation("a", "a1", "x"), null).statusCode()).isEqualTo(401);
        assertThat(post(securedGateway, "/v1/generations", "application/json", generation("a", "a1", "x"), "nope").statusCode()).isEqualTo(401);
        assertThat(post(securedGateway, "/v1/generations", "application/json", generation("a", "a1", "x"), "s3cret").statusCode()).isEqualTo(202);
        String many = IntStream.range(0, 101).mapToObj(i -> generation("m", "m" + i, "r" + i)).collect(Collectors.joining("\n"));
        assertThat(post(gateway, "/v1/generations", "application/x-ndjson", many, null).statusCode()).isEqualTo(413);
    }

    @Test
    void feedbackIsValidatedAndPublished() throws Exception {
        String good = Json.write(Map.of("user_id", "u1", "kind", "pairwise", "prompt_id", "fp", "generation_id", "g1",
                "other_generation_id", "g2", "choice", "B"));
        String bad = Json.write(Map.of("user_id", "u1", "kind", "thumbs_up", "prompt_id", "fp", "generation_id", "g1",
                "choice", "A"));
        assertThat(post(gateway, "/v1/feedback", "application/json", good, null).statusCode()).isEqualTo(202);
        HttpResponse<String> r = post(gateway, "/v1/feedback", "application/json", bad, null);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"field\":\"choice\"").contains("only allowed for pairwise");
        await().atMost(Duration.ofSeconds(10)).until(() -> TopicReader.readAll(broker.settings(), Topics.FEEDBACK).stream()
                .anyMatch(f -> f.value().getKind() == FeedbackKind.PAIRWISE && f.key().equals("fp")));
    }

    @Test
    void aCorruptRecordWrittenStraightToKafkaLandsInTheDeadLetterTopicAndPairingGoesOn() throws Exception {
        try (var producer = Clients.rawProducer(broker.settings(), "corrupt")) {
            producer.send(new ProducerRecord<>(Topics.GENERATIONS.name(), "zz".getBytes(StandardCharsets.UTF_8),
                    "garbage".getBytes(StandardCharsets.UTF_8))).get();
        }
        post(gateway, "/v1/generations", "application/x-ndjson",
                generation("zz", "zz1", "a") + "\n" + generation("zz", "zz2", "b"), null);
        await().atMost(Duration.ofSeconds(60)).until(() -> TopicReader.readRaw(broker.settings(), Topics.GENERATIONS.dlq()).stream()
                .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).equals("garbage")));
        var letter = TopicReader.readRaw(broker.settings(), Topics.GENERATIONS.dlq()).stream()
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).equals("garbage")).findFirst().orElseThrow();
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON)).startsWith("cannot deserialize");
        assertThat(DeadLetters.header(letter.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("generations");
        await().atMost(Duration.ofSeconds(60)).until(() -> TopicReader.readAll(broker.settings(), Topics.PAIRS).stream()
                .anyMatch(p -> p.key().equals(PairIds.pairId("zz1", "zz2"))));
    }

    @Test
    void servesHealthAndPrometheusMetrics() throws Exception {
        var health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"up\"");
        post(gateway, "/v1/generations", "application/json", generation("met", "met1", "x"), null);
        var metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("rlaif_gateway_records_total{outcome=\"accepted\",topic=\"generations\"}");
    }
}
