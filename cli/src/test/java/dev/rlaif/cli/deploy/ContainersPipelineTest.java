package dev.rlaif.cli.deploy;

import dev.rlaif.cli.run.ServiceRunner;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.ComparisonPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway and the pairing service against the Kafka image docker-compose.yml pins and a real Apicurio Registry
 * 2.4.2 container (its in-memory variant; compose runs the SQL one), through the production serde path over HTTP:
 * generations posted to the gateway come back as exactly the expected pairs, read by a second serde instance.
 * Reported skipped where no Docker engine is reachable (the project's build machines).
 */
@Tag("broker")
@Testcontainers(disabledWithoutDocker = true)
class ContainersPipelineTest {

    @Container
    static final KafkaContainer kafka = new KafkaContainer(composeImage("kafka"));

    @Container
    static final GenericContainer<?> registry = new GenericContainer<>("apicurio/apicurio-registry-mem:2.4.2.Final")
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/health/ready").forPort(8080).withStartupTimeout(Duration.ofMinutes(3)));

    private static ServiceRunner runner;
    private static KafkaSettings settings;
    private static String gatewayUrl;

    /** The image docker-compose.yml runs for a service, so this test and compose cannot drift apart. */
    static String composeImage(String service) {
        return DeployFiles.<String>at(DeployFiles.yamlMap(DeployFiles.read("docker-compose.yml")), "services." + service + ".image")
                .orElseThrow();
    }

    @BeforeAll
    static void start() throws Exception {
        String registryUrl = "http://" + registry.getHost() + ":" + registry.getMappedPort(8080) + "/apis/registry/v2";
        settings = new KafkaSettings(kafka.getBootstrapServers(), registryUrl, 2, (short) 1, Files.createTempDirectory("rlaif-tc"));
        TopicAdmin.createAll(settings);
        Env env = new Env(Map.of("RLAIF_GATEWAY_HOST", "127.0.0.1", "RLAIF_GATEWAY_PORT", "0", "RLAIF_PAIRING_APP_ID", "pairing-tc"));
        runner = new ServiceRunner();
        runner.start(ServiceRunner.select(Set.of("gateway", "pairing")), ServiceContext.of(settings, env));
        gatewayUrl = runner.services().stream().filter(s -> s.name().equals("gateway")).findFirst().orElseThrow()
                .endpoints().get("http");
    }

    @AfterAll
    static void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    private static String generation(String prompt, String id, String response) {
        return Json.write(Map.of("generation_id", id, "prompt_id", prompt, "prompt", "Question " + prompt,
                "response", response, "policy_model", "policy-1"));
    }

    @Test
    void generationsPostedToTheGatewayBecomeExactlyTheExpectedPairs() throws Exception {
        String body = IntStream.range(0, 10).mapToObj(p -> generation("c" + p, "c" + p + "-1", "one " + p) + "\n"
                + generation("c" + p, "c" + p + "-2", "two " + p) + "\n" + generation("c" + p, "c" + p + "-3", "three " + p))
                .collect(Collectors.joining("\n"));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/generations"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

        Set<String> expected = new HashSet<>();
        for (int p = 0; p < 10; p++) {
            expected.add(PairIds.pairId("c" + p + "-1", "c" + p + "-2"));
            expected.add(PairIds.pairId("c" + p + "-1", "c" + p + "-3"));
            expected.add(PairIds.pairId("c" + p + "-2", "c" + p + "-3"));
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> TopicReader.readAll(settings, Topics.PAIRS).size() >= expected.size());
        List<String> pairs = TopicReader.readAll(settings, Topics.PAIRS).stream().map(x -> x.value())
                .map(ComparisonPair::getPairId).toList();
        assertThat(pairs).as("no loss, no duplicate").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(TopicReader.readAll(settings, Topics.GENERATIONS)).hasSize(30);
    }
}
