package dev.rlaif.labeling.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A client of the labeling REST API as one annotator: what the simulated annotators, the benchmark and the tests
 * use, so they exercise the same HTTP API people's browsers do.
 */
public final class AnnotatorClient {

    /** An HTTP answer: status and parsed JSON body (null when empty). */
    public record Reply(int status, JsonNode body) {
    }

    private final HttpClient http;
    private final String baseUrl;
    private final String authorization;

    public AnnotatorClient(HttpClient http, String baseUrl, String token) {
        this.http = http;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = "Bearer " + token;
    }

    /** A shared HTTP client suitable for many concurrent annotators. */
    public static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(Runnable::run).build();
    }

    /** The next task under a lease, or empty when none is available (204). */
    public Optional<JsonNode> next() throws IOException, InterruptedException {
        Reply r = get("/api/tasks/next");
        if (r.status() == 204) {
            return Optional.empty();
        }
        if (r.status() != 200) {
            throw new IOException("next task answered " + r.status() + ": " + r.body());
        }
        return Optional.of(r.body());
    }

    /** Submits a label; {@code choice} in shown terms (A = left, B = right, TIE). */
    public Reply submit(String leaseId, String labelId, String choice, String rationale, long timeSpentMs)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("label_id", labelId);
        body.put("choice", choice);
        if (rationale != null) {
            body.put("rationale", rationale);
        }
        body.put("time_spent_ms", timeSpentMs);
        return post("/api/leases/" + leaseId + "/submit", Json.write(body));
    }

    public Reply skip(String leaseId) throws IOException, InterruptedException {
        return post("/api/leases/" + leaseId + "/skip", "");
    }

    public Reply release(String leaseId) throws IOException, InterruptedException {
        return post("/api/leases/" + leaseId + "/release", "");
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    public Reply post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Reply send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(b.header("Authorization", authorization).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body() == null || r.body().isBlank() ? null : Json.MAPPER.readTree(r.body());
        return new Reply(r.statusCode(), body);
    }
}
