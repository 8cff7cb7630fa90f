package dev.rlaif.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.dataset.GenerationJson;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway tells the truth (issue 11, item 3) against a real broker: a batch is written whole or not at all,
 * {@code ?partial=true} writes exactly the good lines, every client error is a 4xx naming line and field, and a
 * Kafka failure in the middle of a batch leaves nothing of it readable.
 */
@Tag("broker")
class GatewayAllOrNothingBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static GatewayService gateway;
    /** No size guard of its own (limit 10 MB), so an oversized record reaches Kafka and fails mid-batch. */
    private static GatewayService unguarded;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ServiceContext ctx = ServiceContext.of(broker.settings(), new Env(Map.of()));
        gateway = new GatewayService(new GatewayConfig("127.0.0.1", 0, 16 << 20, 100, false, Set.of(),
                GenerationJson.Limits.DEFAULT), ctx);
        gateway.start();
        unguarded = new GatewayService(new GatewayConfig("127.0.0.1", 0, 16 << 20, 100, false, Set.of(),
                GenerationJson.Limits.DEFAULT, 10 << 20), ctx);
        unguarded.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        unguarded.close();
    }

    static HttpResponse<String> post(GatewayService g, String path, String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(GatewayService g, String path, String body) throws Exception {
        return post(g, path, "application/x-ndjson", body.getBytes(StandardCharsets.UTF_8));
    }

    static String gen(String prompt, String id, String response, String extra) {
        return "{\"generation_id\":\"" + id + "\",\"prompt_id\":\"" + prompt + "\",\"prompt\":\"q\",\"response\":\""
                + response + "\",\"policy_model\":\"m\"" + extra + "}";
    }

    static List<String> written(String prompt) {
        return TopicReader.readAll(broker.settings(), Topics.GENERATIONS).stream().filter(r -> r.key().equals(prompt))
                .map(r -> r.value().getGenerationId()).toList();
    }

    static String batch(String prompt, int n) {
        return IntStream.range(0, n).mapToObj(i -> gen(prompt, prompt + "-" + i, "r" + i, "")).collect(Collectors.joining("\n"));
    }

    @Test
    void aFarFutureDateIsA400NamingLineAndFieldAndNothingIsWritten() throws Exception {
        String body = batch("date", 5) + "\n" + gen("date", "date-x", "x", ",\"created_at\":\"+1000000000-01-01T00:00:00Z\"");
        HttpResponse<String> r = post(gateway, "/v1/generations", body);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode err = Json.read(r.body()).get("errors").get(0);
        assertThat(err.get("line").asInt()).isEqualTo(6);
        assertThat(err.get("field").asText()).isEqualTo("created_at");
        assertThat(written("date")).isEmpty();

        HttpResponse<String> partial = post(gateway, "/v1/generations?partial=true", body.replace("date", "datep"));
        assertThat(partial.statusCode()).isEqualTo(202);
        assertThat(Json.read(partial.body()).get("accepted").asInt()).isEqualTo(5);
        assertThat(written("datep")).containsExactlyInAnyOrder("datep-0", "datep-1", "datep-2", "datep-3", "datep-4");
    }

    @Test
    void aGenerationWhosePairCannotFitIsA413NamingLineAndFieldAndNothingIsWritten() throws Exception {
        String huge = "\u4e00".repeat(200_000); // 600 KB: fits alone, its pair (1.2 MB) does not
        String body = batch("big", 2) + "\n" + gen("big", "big-x", huge, "") + "\n" + gen("big", "big-y", "y", "");
        HttpResponse<String> r = post(gateway, "/v1/generations", body);
        assertThat(r.statusCode()).isEqualTo(413);
        JsonNode err = Json.read(r.body()).get("errors").get(0);
        assertThat(err.get("line").asInt()).isEqualTo(3);
        assertThat(err.get("field").asText()).isEqualTo("response");
        assertThat(err.get("message").asText()).contains("pair");
        HttpResponse<String> partial = post(gateway, "/v1/generations?partial=true", body);
        assertThat(partial.statusCode()).isEqualTo(202);
        assertThat(written("big")).containsExactlyInAnyOrder("big-0", "big-1", "big-y");
    }

    @Test
    void aKafkaFailureInTheMiddleOfABatchLeavesNothingOfItReadable() throws Exception {
        // 1.2 MB (prompt and response of 200,000 CJK characters each, within the per-field limits): past the
        // producer's max.request.size; the unguarded gateway sends it third of five.
        String half = "\u4e00".repeat(200_000);
        String body = batch("mid", 2) + "\n" + gen("mid", "mid-x", half, "").replace("\"prompt\":\"q\"", "\"prompt\":\"" + half + "\"") + "\n" + batch("mid", 2).replace("mid-", "mid-z");
        HttpResponse<String> r = post(unguarded, "/v1/generations", body);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(Json.read(r.body()).get("accepted").asInt()).isZero();
        // The same producer slots go on working afterwards.
        assertThat(post(unguarded, "/v1/generations", batch("after", 3)).statusCode()).isEqualTo(202);
        assertThat(written("after")).hasSize(3);
        assertThat(written("mid")).as("read_committed sees nothing of the aborted batch").isEmpty();
    }

    @Test
    void malformedBodiesAreClientErrors() throws Exception {
        assertThat(post(gateway, "/v1/generations", "application/jsonfoo", gen("ct", "ct-1", "x", "").getBytes(StandardCharsets.UTF_8))
                .statusCode()).isEqualTo(415);
        assertThat(post(gateway, "/v1/generations", "application/json; charset=utf-8", gen("ct", "ct-2", "x", "").getBytes(StandardCharsets.UTF_8))
                .statusCode()).isEqualTo(202);
        HttpResponse<String> twoValues = post(gateway, "/v1/generations", "application/json",
                (gen("tv", "tv-1", "x", "") + gen("tv", "tv-2", "y", "")).getBytes(StandardCharsets.UTF_8));
        assertThat(twoValues.statusCode()).isEqualTo(400);
        assertThat(post(gateway, "/v1/generations", "application/json", (gen("tv", "tv-1", "x", "") + "}}}").getBytes(StandardCharsets.UTF_8))
                .statusCode()).isEqualTo(400);
        byte[] latin1 = gen("u8", "u8-1", "caf\u00e9", "").getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> badUtf8 = post(gateway, "/v1/generations", "application/json", latin1);
        assertThat(badUtf8.statusCode()).isEqualTo(400);
        assertThat(badUtf8.body()).contains("UTF-8");
        HttpResponse<String> surrogate = post(gateway, "/v1/generations", gen("sg", "sg-1", "\\ud800", ""));
        assertThat(surrogate.statusCode()).isEqualTo(400);
        assertThat(surrogate.body()).contains("\"field\":\"response\"");
        assertThat(post(gateway, "/v1/generations?partial=maybe", batch("pm", 1)).statusCode()).isEqualTo(400);
        HttpResponse<String> feedback = post(gateway, "/v1/feedback", "{\"user_id\":\"u\",\"kind\":\"thumbs_up\",\"prompt_id\":\"f\","
                + "\"generation_id\":\"g\",\"created_at\":\"+1000000000-01-01T00:00:00Z\"}");
        assertThat(feedback.statusCode()).isEqualTo(400);
        assertThat(feedback.body()).contains("created_at");
        assertThat(written("tv")).isEmpty();
        assertThat(written("u8")).isEmpty();
        assertThat(written("sg")).isEmpty();
    }
}
