package dev.rlaif.cli.ingest;

import dev.rlaif.common.dataset.GenerationJson;
import dev.rlaif.common.json.Json;
import dev.rlaif.schema.PolicyGeneration;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Posts generations to the gateway as NDJSON. A 503 (Kafka did not acknowledge) or a connection error is retried
 * with backoff a few times; a 4xx is not (the records are wrong) and fails with the gateway's message.
 */
public final class HttpSink implements GenerationSink {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI endpoint;
    private final String token;

    public HttpSink(String gatewayUrl, String token) {
        this.endpoint = URI.create(gatewayUrl.replaceAll("/+$", "") + "/v1/generations");
        this.token = token;
    }

    @Override
    public void send(List<PolicyGeneration> batch) throws Exception {
        String body = batch.stream().map(g -> Json.write(GenerationJson.toJson(g))).collect(Collectors.joining("\n"));
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    return;
                }
                if (r.statusCode() != 503 || attempt >= 5) {
                    throw new IllegalStateException("gateway answered " + r.statusCode() + ": " + r.body());
                }
            } catch (IOException e) {
                if (attempt >= 5) {
                    throw new IOException("cannot reach the gateway at " + endpoint + ": " + e.getMessage(), e);
                }
            }
            Thread.sleep(200L << attempt);
        }
    }
}
