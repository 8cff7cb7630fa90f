package dev.rlaif.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.dataset.GenerationJson;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.testing.Fuzz;
import dev.rlaif.common.topic.Topics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded fuzz of the gateway (issue 11, item 7): 2,000 seeded cases against {@code /v1/generations} and
 * {@code /v1/feedback}. No case may get a 5xx, the gateway stays up, and the records it accepted are exactly the
 * records on the topics (nothing accepted is lost, nothing refused is written).
 */
@Tag("broker")
class GatewayFuzzTest {

    private static final Logger log = LoggerFactory.getLogger(GatewayFuzzTest.class);
    static final int CASES = 2000;

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    static final List<String> GENERATIONS = List.of(
            "{\"prompt_id\":\"p1\",\"prompt\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"response\":\"Hello!\",\"policy_model\":\"m\","
                    + "\"policy_version\":\"s1\",\"sampling\":{\"temperature\":0.7,\"top_p\":0.9,\"max_tokens\":64,\"seed\":1},"
                    + "\"created_at\":\"2026-01-31T12:00:00Z\",\"tags\":{\"source\":\"fuzz\"}}",
            "{\"generation_id\":\"g-2\",\"prompt_id\":\"p2\",\"prompt\":\"What is 2+2?\",\"response\":\"4\",\"policy_model\":\"m\"}",
            "{\"prompt_id\":\"p3\",\"prompt\":[{\"role\":\"system\",\"content\":\"Be brief\"},{\"role\":\"user\",\"content\":\"Why?\"}],"
                    + "\"response\":\"\",\"policy_model\":\"m\",\"created_at\":1767225600000}");
    static final List<String> FEEDBACK = List.of(
            "{\"user_id\":\"u1\",\"kind\":\"pairwise\",\"prompt_id\":\"p1\",\"generation_id\":\"g1\",\"other_generation_id\":\"g2\",\"choice\":\"B\"}",
            "{\"user_id\":\"u2\",\"kind\":\"thumbs_up\",\"prompt_id\":\"p2\",\"generation_id\":\"g-2\",\"comment\":\"nice\"}");

    @Test
    void noInputGetsA5xxAndEveryAcceptedRecordIsOnTheTopic() throws Exception {
        GatewayService gateway = new GatewayService(new GatewayConfig("127.0.0.1", 0, 256 * 1024, 100, false, Set.of("fuzz-token"),
                GenerationJson.Limits.DEFAULT), ServiceContext.of(broker.settings(), new Env(Map.of())));
        gateway.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            Fuzz generations = new Fuzz(20261130L, GENERATIONS);
            Fuzz feedback = new Fuzz(20261131L, FEEDBACK);
            Fuzz.Tally tally = new Fuzz.Tally();
            long acceptedGenerations = 0;
            long acceptedFeedback = 0;
            long start = System.nanoTime();
            for (int i = 0; i < CASES; i++) {
                boolean gen = i % 3 != 2;
                Fuzz f = gen ? generations : feedback;
                Fuzz.Case c = f.next();
                String query = f.random().nextInt(4) == 0 ? "?partial=true" : "";
                String auth = f.random().nextInt(20) == 0 ? "Bearer wrong" : "Bearer fuzz-token";
                URI uri = URI.create("http://127.0.0.1:" + gateway.port() + (gen ? "/v1/generations" : "/v1/feedback") + query);
                HttpResponse<String> r = Fuzz.post(http, uri, c, Map.of("Authorization", auth));
                tally.add(r.statusCode(), c, r.body());
                if (r.statusCode() == 202) {
                    int accepted = Json.read(r.body()).get("accepted").asInt();
                    if (gen) {
                        acceptedGenerations += accepted;
                    } else {
                        acceptedFeedback += accepted;
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long onGenerations = TopicReader.count(broker.settings(), Topics.GENERATIONS.name());
            long onFeedback = TopicReader.count(broker.settings(), Topics.FEEDBACK.name());
            log.info("gateway fuzz: {} cases in {} s, statuses {}, accepted {} generations / {} feedback, on the topics {} / {}",
                    tally.total(), String.format("%.1f", seconds), tally.byStatus(), acceptedGenerations, acceptedFeedback,
                    onGenerations, onFeedback);
            assertThat(tally.serverErrors()).as("5xx answers").isEmpty();
            assertThat(tally.total()).isEqualTo(CASES);
            assertThat(tally.byStatus()).containsKeys(202, 400, 415);
            assertThat(onGenerations).as("accepted generations are exactly those on the topic").isEqualTo(acceptedGenerations);
            assertThat(onFeedback).as("accepted feedback is exactly that on the topic").isEqualTo(acceptedFeedback);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode h = Json.read(health.body());
            assertThat(h.get("status").asText()).isEqualTo("up");
        } finally {
            gateway.close();
        }
    }
}
