package dev.rlaif.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.cli.Rlaif;
import dev.rlaif.cli.run.ServiceRunner;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.PolicyGeneration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Clients the rlaif team did not write, against a real broker: {@code examples/python/rollout_worker.py} (standard
 * library only) feeding the gateway and asking the scorer for rewards, and {@code examples/node/client.js} (kafkajs and
 * {@code @kafkajs/confluent-schema-registry}) decoding our Avro topics through a real registry's Confluent-compatible
 * API and producing a generation the pipeline pairs. Skipped with a message where python3, node or a real registry is
 * missing.
 */
@Tag("broker")
class ExternalClientsTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static final HttpClient http = HttpClient.newHttpClient();

    /** Output lines and exit status of a child process, killed after the deadline. */
    record Run(int exitCode, List<String> lines, String stderr) {
        JsonNode last() {
            return Json.read(lines.get(lines.size() - 1));
        }
    }

    private static Run run(Path dir, Duration deadline, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                return e.toString();
            }
        });
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> out = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(lines::add);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        if (!p.waitFor(deadline.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " still running after " + deadline + "; stderr: " + err.getNow(""));
        }
        out.get(30, TimeUnit.SECONDS);
        return new Run(p.exitValue(), lines, err.get(30, TimeUnit.SECONDS));
    }

    private static ServiceRunner start(KafkaSettings settings, Map<String, String> env, String... services) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("RLAIF_GATEWAY_HOST", "127.0.0.1");
        e.put("RLAIF_GATEWAY_PORT", "0");
        e.put("RLAIF_SCORER_HOST", "127.0.0.1");
        e.put("RLAIF_SCORER_PORT", "0");
        ServiceRunner runner = new ServiceRunner();
        runner.start(ServiceRunner.select(Set.of(services)), ServiceContext.of(settings, new Env(e)));
        return runner;
    }

    private static String endpoint(ServiceRunner runner, String service) {
        return runner.services().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow().endpoints().get("http");
    }

    /** A small reward model in the scorer's layout: trained by {@code ./rlaif train}, published as CURRENT. */
    private static void publishSmallModel(Path models, Path work) throws Exception {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            data.append(Json.write(Map.of("id", "t" + i, "prompt", "Question number " + i + ": can you help me?",
                    "response_a", "Certainly, here is a clear and helpful answer to question " + i + ", step by step.",
                    "response_b", "No. Go away, figure it out yourself " + i + ".", "label", "A"))).append('\n');
        }
        Path file = work.resolve("train.jsonl");
        Files.writeString(file, data);
        Files.createDirectories(models);
        int rc = Rlaif.commandLine().execute("train", "--data", file.toString(), "--out", models.resolve("v000001").toString(),
                "--encoder", "hashing-64", "--heads", "2", "--epochs", "2", "--bow-buckets", "1024", "--lexical-buckets", "0");
        assertThat(rc).as("./rlaif train").isZero();
        Files.writeString(models.resolve(ModelStore.CURRENT), "v000001");
    }

    @Test
    void pythonRolloutWorkerPostsGenerationsAndGetsRewardsFromTheScorer(@TempDir Path dir) throws Exception {
        assumeTrue(DeployFiles.installed("python3", "--version"), "python3 is not installed here: examples/python was not run");
        Path models = dir.resolve("models");
        publishSmallModel(models, dir);
        KafkaSettings settings = broker.settings().withStateDir(dir.resolve("state"));
        try (ServiceRunner runner = start(settings, Map.of("RLAIF_MODELS_DIR", models.toString(), "RLAIF_SCORER_ENCODER", "hashing-64",
                "RLAIF_PAIRING_APP_ID", "pairing-python-client"), "gateway", "pairing", "scorer")) {
            Run r = run(DeployFiles.ROOT, Duration.ofMinutes(3), "python3", "examples/python/rollout_worker.py",
                    "--gateway", endpoint(runner, "gateway"), "--scorer", endpoint(runner, "scorer"),
                    "--rollouts", "examples/python/rollouts.jsonl");
            assertThat(r.exitCode()).as("rollout_worker.py, stderr: " + r.stderr()).isZero();
            JsonNode summary = r.last().get("summary");
            assertThat(summary.get("generations").asInt()).isEqualTo(6);
            assertThat(summary.get("accepted").asInt()).isEqualTo(6);
            assertThat(summary.get("scored").asInt()).isEqualTo(6);

            List<String> ids = new ArrayList<>();
            for (String line : r.lines().subList(0, r.lines().size() - 1)) {
                JsonNode group = Json.read(line);
                assertThat(group.get("model_version").asText()).isEqualTo("v000001");
                assertThat(group.get("rewards")).hasSize(3);
                double advantageSum = 0;
                for (JsonNode a : group.get("advantages")) {
                    advantageSum += a.asDouble();
                }
                assertThat(advantageSum).as("advantages are relative to the group's mean").isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-4));
                group.get("generation_ids").forEach(id -> ids.add(id.asText()));
            }
            List<String> onKafka = TopicReader.readAll(settings, Topics.GENERATIONS).stream().map(x -> x.value())
                    .filter(g -> g.getPromptId().startsWith("ex-py-")).map(PolicyGeneration::getGenerationId).toList();
            assertThat(onKafka).as("every generation the worker posted, once").containsExactlyInAnyOrderElementsOf(ids);
            await().atMost(Duration.ofSeconds(90)).until(() -> TopicReader.readAll(settings, Topics.PAIRS).stream()
                    .filter(p -> p.value().getPromptId().startsWith("ex-py-")).count() == 6);
        }
    }

    /** A real registry's v2 URL: RLAIF_TEST_REGISTRY_URL, or `./rlaif registry` started here when the launcher has it. */
    private static Optional<String> realRegistry(Path dir, List<Process> started) throws Exception {
        String given = System.getenv("RLAIF_TEST_REGISTRY_URL");
        if (given != null && !given.isBlank()) {
            return Optional.of(given.trim());
        }
        if (!Rlaif.commandLine().getSubcommands().containsKey("registry")) {
            return Optional.empty();
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), Rlaif.class.getName(),
                "registry", "--port", Integer.toString(port), "--data-dir", dir.resolve("registry").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> out.lines()
                .filter(l -> l.startsWith("registry: ")).findFirst().map(l -> l.substring("registry: ".length()).trim()).orElse(null));
        return Optional.of(url.get(5, TimeUnit.MINUTES));
    }

    @Test
    void nodeKafkajsClientDecodesOurTopicsThroughTheConfluentApiAndItsGenerationIsPaired(@TempDir Path dir) throws Exception {
        assumeTrue(DeployFiles.installed("node", "--version") && DeployFiles.installed("npm", "--version"),
                "node or npm is not installed here: examples/node was not run");
        List<Process> started = new ArrayList<>();
        try {
            Optional<String> registry = realRegistry(dir, started);
            assumeTrue(registry.isPresent(), "no real schema registry here (neither RLAIF_TEST_REGISTRY_URL nor `./rlaif registry`): "
                    + "examples/node needs one for its Confluent-compatible API, so it was not run");
            String v2 = registry.get();
            String ccompat = v2.replaceAll("/apis/registry/v[23]/?$", "/apis/ccompat/v7");
            Path nodeDir = DeployFiles.path("examples/node");
            if (!Files.isDirectory(nodeDir.resolve("node_modules"))) {
                Run ci = run(nodeDir, Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund");
                assertThat(ci.exitCode()).as("npm ci: " + ci.stderr()).isZero();
            }
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), v2, 2, (short) 1, dir.resolve("state"));
            try (ServiceRunner runner = start(settings, Map.of("RLAIF_PAIRING_APP_ID", "pairing-node-client"), "gateway", "pairing")) {
                // The pipeline's own generation first: it registers the schema and is what the Node client decodes.
                HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(endpoint(runner, "gateway") + "/v1/generations"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of(
                                "generation_id", "node-p1-java", "prompt_id", "node-p1", "prompt", "Say something kind.",
                                "response", "You are doing great.", "policy_model", "java-policy")))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

                Run r = run(nodeDir, Duration.ofMinutes(3), "node", "client.js", "--brokers", broker.bootstrapServers(),
                        "--registry", ccompat, "--produce", "--prompt-id", "node-p1", "--response", "Kindness is a gift you give yourself.",
                        "--consume", "generations,pairs", "--until-pair-of", "node-p1", "--timeout", "150");
                assertThat(r.exitCode()).as("client.js, stderr: " + r.stderr()).isZero();
                String nodeGeneration = r.last().get("summary").get("produced").asText();
                List<JsonNode> records = r.lines().subList(0, r.lines().size() - 1).stream().map(Json::read).toList();
                assertThat(records).as("our generation, decoded by the Confluent-serde client").anySatisfy(rec -> {
                    assertThat(rec.get("topic").asText()).isEqualTo("generations");
                    assertThat(rec.at("/value/generation_id").asText()).isEqualTo("node-p1-java");
                    assertThat(rec.at("/value/prompt/0/content").asText()).isEqualTo("Say something kind.");
                });
                assertThat(records).as("the pair of both generations, decoded").anySatisfy(rec -> {
                    assertThat(rec.get("topic").asText()).isEqualTo("pairs");
                    assertThat(rec.toString()).contains("node-p1-java").contains(nodeGeneration);
                });
                List<ComparisonPair> pairs = TopicReader.readAll(settings, Topics.PAIRS).stream().map(x -> x.value())
                        .filter(p -> p.getPromptId().equals("node-p1")).toList();
                assertThat(pairs).hasSize(1);
                assertThat(pairs.get(0).toString()).contains(nodeGeneration);
            }
        } finally {
            for (Process p : started) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }
}
