package dev.rlaif.labeling.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.testing.Fuzz;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.Fixtures;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.labeling.sim.AnnotatorClient;
import dev.rlaif.schema.EscalationReason;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bounded fuzz of the labeling API (issue 11, item 7): 2,000 seeded cases (submit bodies mutated from valid ones,
 * random bytes, wrong types, unicode edge cases, odd lease ids and authorization headers, skip and release). No case
 * may get a 5xx, the service stays up, and every label it accepted is on {@code human-labels}, once.
 */
@Tag("broker")
class LabelingFuzzTest {

    private static final Logger log = LoggerFactory.getLogger(LabelingFuzzTest.class);

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    static final String[] AUTH = {"Bearer " + Fixtures.ALICE, "Bearer " + Fixtures.ALICE, "Bearer " + Fixtures.ALICE,
            "Bearer nope", "Basic " + java.util.Base64.getEncoder().encodeToString("alice:alice-token-1".getBytes()),
            "Basic !!!", "Bearer ", "Bearer " + Fixtures.ADMIN, "bearer " + Fixtures.ALICE + "x"};

    @Test
    void noInputGetsA5xxAndEveryAcceptedLabelIsOnTheTopic() throws Exception {
        LabelingService service = new LabelingService(Fixtures.context(broker.settings()),
                Fixtures.config(Files.createTempDirectory("labeling-fuzz"), Duration.ofMinutes(5), 0, false, 0), Clock.systemUTC());
        service.start();
        try {
            Fixtures.produce(broker.settings(), IntStream.range(0, 400)
                    .mapToObj(i -> Fixtures.escalation("fz-" + i, EscalationReason.LOW_CONFIDENCE, 0.5, 1, null)).toList());
            await().atMost(Duration.ofSeconds(60)).until(() -> service.queue().openCount() == 400);
            HttpClient http = AnnotatorClient.newHttpClient();
            AnnotatorClient alice = new AnnotatorClient(http, service.baseUrl(), Fixtures.ALICE);
            String base = service.baseUrl();
            Fuzz fuzz = new Fuzz(1111L, List.of(
                    "{\"label_id\":\"l-1\",\"choice\":\"A\",\"rationale\":\"clearer\",\"time_spent_ms\":1200}",
                    "{\"label_id\":\"l-2\",\"choice\":\"tie\"}",
                    "{\"label_id\":\"l-3\",\"choice\":\"B\",\"time_spent_ms\":0}"));
            Fuzz.Tally tally = new Fuzz.Tally();
            String lease = null;
            int accepted = 0;
            int labelSeq = 0;
            int reconnects = 0;
            long start = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                if (lease == null) {
                    lease = alice.next().map(t -> t.get("lease_id").asText()).orElse(null);
                }
                Fuzz.Case c = fuzz.next();
                // Give each body its own label id most of the time, so an accepted label is a new one.
                String body = new String(c.body(), StandardCharsets.UTF_8);
                if (fuzz.random().nextInt(4) != 0) {
                    body = body.replaceFirst("\"l-\\d\"", "\"fz-label-" + (labelSeq++) + "\"");
                }
                Fuzz.Case sent = new Fuzz.Case(c.kind(), c.contentType(), body.equals(new String(c.body(), StandardCharsets.UTF_8))
                        ? c.body() : body.getBytes(StandardCharsets.UTF_8));
                int what = fuzz.random().nextInt(10);
                String target = lease == null || fuzz.random().nextInt(10) == 0 ? oddLease(fuzz) : lease;
                String path = switch (what) {
                    case 0 -> "/api/leases/" + target + "/skip";
                    case 1 -> "/api/leases/" + target + "/release";
                    default -> "/api/leases/" + target + "/submit";
                };
                String auth = fuzz.random().nextInt(5) == 0 ? AUTH[fuzz.random().nextInt(AUTH.length)] : "Bearer " + Fixtures.ALICE;
                HttpResponse<String> r;
                boolean retried = false;
                try {
                    r = Fuzz.post(http, URI.create(base + path), sent, Map.of("Authorization", auth));
                } catch (java.io.IOException dropped) {
                    // A kept-alive connection the server had closed: the client sees no bytes. Send again, once;
                    // a submit that had been stored answers "duplicate" and is counted below.
                    reconnects++;
                    retried = true;
                    r = Fuzz.post(http, URI.create(base + path), sent, Map.of("Authorization", auth));
                }
                tally.add(r.statusCode(), sent, r.body());
                if (r.statusCode() == 200 && target.equals(lease)) {
                    if (path.endsWith("/submit")) {
                        JsonNode reply = Json.read(r.body());
                        if (!"duplicate".equals(reply.path("status").asText()) || retried) {
                            accepted++;
                        }
                    }
                    lease = null;
                }
                if (i % 50 == 0) {
                    HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create(base + "/api/me"))
                            .header("Authorization", AUTH[fuzz.random().nextInt(AUTH.length)]).build(), HttpResponse.BodyHandlers.ofString());
                    tally.add(me.statusCode(), new Fuzz.Case("me", "", new byte[0]), me.body());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long onTopic = TopicReader.count(broker.settings(), Topics.HUMAN_LABELS.name());
            log.info("labeling fuzz: {} requests in {} s, statuses {}, labels accepted {}, on human-labels {}, resent after a closed connection {}",
                    tally.total(), String.format("%.1f", seconds), tally.byStatus(), accepted, onTopic, reconnects);
            assertThat(tally.serverErrors()).as("5xx answers").isEmpty();
            assertThat(tally.byStatus()).as("connections dropped without an answer").doesNotContainKey(-1);
            assertThat(accepted).isPositive();
            assertThat(tally.total()).isGreaterThanOrEqualTo(2000);
            assertThat(onTopic).as("every accepted label is on the topic, once").isEqualTo(accepted);
            assertThat(alice.get("/health").status()).isEqualTo(200);
        } finally {
            service.close();
        }
    }

    private static String oddLease(Fuzz fuzz) {
        String[] odd = {"no-such-lease", "..", "%2e%2e", "x".repeat(5000), "\u4e00", "\ud83d\ude00", "' OR 1=1 --", "%00", "-1",
                "null", "%25ZZ"};
        String s = odd[fuzz.random().nextInt(odd.length)];
        return s.startsWith("%") ? s : URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
