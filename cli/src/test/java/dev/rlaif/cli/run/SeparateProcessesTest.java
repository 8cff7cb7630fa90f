package dev.rlaif.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.cli.ChildJvm;
import dev.rlaif.cli.Rlaif;
import dev.rlaif.cli.ingest.HttpSink;
import dev.rlaif.cli.ingest.IngestCommand;
import dev.rlaif.cli.registry.RegistryServer;
import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.json.Json;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every part in a process of its own, as in production: the broker ({@code rlaif broker}), a real Apicurio Registry
 * server, and each service's own {@code Main} in its own JVM with {@code RLAIF_REGISTRY_URL} set. 100 comparisons go
 * in through the gateway's HTTP API, the test answers every escalation through the labeling API as an annotator,
 * and {@code rlaif status} (the demo's summary) must show every pair settled once and nothing dead-lettered. Logs
 * each process's start-up time and resident memory (README's figures).
 */
@Tag("broker")
class SeparateProcessesTest {

    private static final Logger log = LoggerFactory.getLogger(SeparateProcessesTest.class);
    private static final int COMPARISONS = 100;
    private static final String TOKEN = "tester-token";
    private static final List<String> QUIET = List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dorg.slf4j.simpleLogger.log.dev.rlaif=info");

    /** name, main class, heap, HTTP port variable (null: a Kafka-only service), consumer group (null: none). */
    private record Svc(String name, String main, String heap, String portVar, String group) {
    }

    private static final List<Svc> SERVICES = List.of(
            new Svc("pairing", "dev.rlaif.pairing.Main", "-Xmx256m", null, "rlaif-pairing"),
            new Svc("judge", "dev.rlaif.judge.Main", "-Xmx512m", null, "rlaif-judge"),
            new Svc("router", "dev.rlaif.router.Main", "-Xmx256m", null, "rlaif-router"),
            new Svc("merger", "dev.rlaif.merger.Main", "-Xmx256m", null, "rlaif-merger"),
            new Svc("labeling", "dev.rlaif.labeling.Main", "-Xmx256m", "RLAIF_LABELING_PORT", null),
            new Svc("trainer", "dev.rlaif.trainer.Main", "-Xmx512m", null, null),
            new Svc("scorer", "dev.rlaif.scorer.Main", "-Xmx512m", "RLAIF_SCORER_PORT", null),
            new Svc("gateway", "dev.rlaif.gateway.Main", "-Xmx256m", "RLAIF_GATEWAY_PORT", null));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyServiceInItsOwnProcessSettlesEveryPairOnce(@TempDir Path dir) throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        Map<String, String> figures = new LinkedHashMap<>();
        Map<String, Long> pids = new LinkedHashMap<>();
        try {
            int brokerPort = freePort();
            long t0 = System.nanoTime();
            ChildJvm broker = ChildJvm.start("broker", dir.resolve("logs"), Map.of(), concat(List.of("-Xmx512m"), QUIET),
                    Rlaif.class.getName(), List.of("broker", "--port", String.valueOf(brokerPort), "--data-dir", dir.resolve("kafka").toString()));
            running.add(broker);
            await("broker").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> broker.stderr().contains("listening at") || !broker.isAlive());
            assertThat(broker.isAlive()).as(broker.stderr()).isTrue();
            figures.put("broker", ms(t0));
            pids.put("broker", broker.process().pid());
            String bootstrap = "127.0.0.1:" + brokerPort;

            t0 = System.nanoTime();
            RegistryServer registry = RegistryServer.start(dir.resolve("registry"), "127.0.0.1", 0, List.of("-Xmx384m"), Duration.ofMinutes(4));
            running.add(registry);
            figures.put("registry", ms(t0));
            pids.put("registry", registry.pid());

            Map<String, String> env = new LinkedHashMap<>();
            env.put("RLAIF_BOOTSTRAP_SERVERS", bootstrap);
            env.put("RLAIF_REGISTRY_URL", registry.url());
            env.put("RLAIF_STATE_DIR", dir.resolve("state").toString());
            env.put("RLAIF_LABELING_ANNOTATORS", "tester:" + TOKEN);
            env.put("RLAIF_SIM_ANNOTATORS", "0");
            env.put("RLAIF_TRAINER_MIN_LABELS", "10000");
            env.put("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai"));

            Map<String, String> urls = new LinkedHashMap<>();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                for (Svc svc : SERVICES) {
                    Map<String, String> own = new LinkedHashMap<>(env);
                    if (svc.portVar() != null) {
                        int port = freePort();
                        own.put(svc.portVar(), String.valueOf(port));
                        urls.put(svc.name(), "http://127.0.0.1:" + port);
                    }
                    t0 = System.nanoTime();
                    ChildJvm child = ChildJvm.start(svc.name(), dir.resolve("logs"), own, concat(List.of(svc.heap()), QUIET),
                            svc.main(), List.of());
                    running.add(child);
                    awaitReady(svc, child, urls.get(svc.name()), admin);
                    figures.put(svc.name(), ms(t0));
                    pids.put(svc.name(), child.process().pid());
                }
            }
            log.info("start-up to ready, one at a time: {}", figures);

            long sent = IngestCommand.send(SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz"), DatasetFormat.HH_RLHF,
                    (long) COMPARISONS, 50, 0, "test-policy", new HttpSink(urls.get("gateway"), null), false);
            assertThat(sent).isEqualTo(2L * COMPARISONS);

            // Annotate every escalation through the API until every pair has its preference (a cheap look at one
            // topic), then ask `rlaif status` for the whole summary once the consumer groups have drained.
            long started = System.nanoTime();
            try {
                await("every pair settled").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    labelEverythingOpen(urls.get("labeling"));
                    return distinctKeys(bootstrap, "preferences") >= COMPARISONS;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(diagnosis(bootstrap, registry.url(), urls, running), e);
            }
            log.info("ingested, judged, labeled and merged in {}", ms(started));
            String[] last = new String[1];
            await("drained").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                last[0] = status(bootstrap, registry.url());
                return Json.read(last[0]).get("summary").get("drained").asBoolean();
            });
            JsonNode s = Json.read(last[0]).get("summary");
            log.info("status: {}", last[0]);
            assertThat(s.get("pairs").asLong()).isEqualTo(COMPARISONS);
            assertThat(s.get("preferences").asLong()).isEqualTo(COMPARISONS);
            assertThat(s.get("generations").asLong()).isEqualTo(2L * COMPARISONS);
            assertThat(s.get("judgments").asLong()).isEqualTo(COMPARISONS);
            assertThat(s.get("preferences").asLong() + s.get("open_escalations").asLong()).isEqualTo(COMPARISONS);
            assertThat(s.get("human_labels").asLong()).isEqualTo(s.get("escalations").asLong());
            assertThat(s.get("duplicate_human_labels").asLong()).isZero();
            assertThat(s.get("dlq").asLong()).isZero();
            assertThat(s.get("hanging_transactions").isArray()).as("status looked for hanging transactions").isTrue();
            assertThat(s.get("hanging_transactions")).isEmpty();

            Map<String, String> rss = new LinkedHashMap<>();
            pids.forEach((name, pid) -> rss.put(name, rssMiB(pid)));
            log.info("resident memory after the run (MiB): {}", rss);
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    private void awaitReady(Svc svc, ChildJvm child, String url, Admin admin) {
        await(svc.name() + " ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!child.isAlive()) {
                throw new AssertionError(svc.name() + " exited with " + child.process().exitValue() + ":\n" + child.stderr());
            }
            if (url != null) {
                return healthUp(url);
            }
            if (!child.stderr().contains(svc.name() + " started")) {
                return false;
            }
            return svc.group() == null || hasMembers(admin, svc.group());
        });
    }

    private static boolean hasMembers(Admin admin, String group) throws InterruptedException {
        try {
            return !admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members().isEmpty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYet) {
            return false; // the group does not exist until its first member joins
        }
    }

    private boolean healthUp(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What a timeout needs to be understood: the topics' counts, each service's health and its log's warnings. */
    private String diagnosis(String bootstrap, String registryUrl, Map<String, String> urls, List<AutoCloseable> running) {
        StringBuilder b = new StringBuilder("not every pair settled.\n");
        for (String topic : List.of("generations", "pairs", "judgments", "ai-labels", "escalations", "human-labels", "preferences")) {
            try {
                b.append(topic).append(": ").append(distinctKeys(bootstrap, topic)).append(" distinct keys\n");
            } catch (RuntimeException e) {
                b.append(topic).append(": ").append(e).append('\n');
            }
        }
        try {
            b.append("status: ").append(status(bootstrap, registryUrl)).append('\n');
        } catch (RuntimeException | AssertionError e) {
            b.append("status: ").append(e).append('\n');
        }
        urls.forEach((name, url) -> {
            try {
                b.append(name).append(" /health: ").append(http.send(HttpRequest.newBuilder(URI.create(url + "/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body()).append('\n');
            } catch (Exception e) {
                b.append(name).append(" /health: ").append(e).append('\n');
            }
        });
        for (AutoCloseable r : running) {
            if (r instanceof ChildJvm child) {
                b.append("--- ").append(child.process().info().commandLine().map(c -> c.substring(Math.max(0, c.length() - 60))).orElse("?"))
                        .append(child.isAlive() ? " (alive)" : " (exited " + child.process().exitValue() + ")").append('\n');
                child.stderr().lines().filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception"))
                        .filter(l -> !l.contains("NetworkClient")).limit(40).forEach(l -> b.append("  ").append(l, 0, Math.min(l.length(), 400)).append('\n'));
            }
        }
        return b.toString();
    }

    /** Takes and labels tasks until the queue answers 204: choice A always (the test checks settlement, not taste). */
    private void labelEverythingOpen(String labeling) throws Exception {
        for (int i = 0; i < 500; i++) {
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(labeling + "/api/tasks/next"))
                    .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (next.statusCode() == 204) {
                return;
            }
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            String lease = Json.read(next.body()).get("lease_id").asText();
            String body = Json.write(Map.of("label_id", UUID.randomUUID().toString(), "choice", "A"));
            HttpResponse<String> submit = http.send(HttpRequest.newBuilder(URI.create(labeling + "/api/leases/" + lease + "/submit"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(submit.statusCode()).as(submit.body()).isEqualTo(200);
        }
    }

    private static long distinctKeys(String bootstrap, String topic) {
        return dev.rlaif.common.kafka.TopicReader.readRaw(new dev.rlaif.common.config.KafkaSettings(bootstrap, null, 3, (short) 1, Path.of(".")), topic)
                .stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct().count();
    }

    /** {@code rlaif status}'s one JSON line. */
    private static String status(String bootstrap, String registryUrl) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int rc;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            CommandLine cli = Rlaif.commandLine();
            rc = cli.execute("status", "--bootstrap-servers", bootstrap, "--registry-url", registryUrl);
        } finally {
            System.setOut(saved);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(rc).isZero();
        return lines.get(lines.size() - 1);
    }

    private static String rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return String.valueOf(Long.parseLong(line.replaceAll("\\D", "")) / 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
        return "n/a";
    }

    private static String ms(long t0) {
        return String.format("%.1f s", (System.nanoTime() - t0) / 1e9);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
