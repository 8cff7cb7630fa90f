package dev.rlaif.cli.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.cli.ChildJvm;
import dev.rlaif.cli.Rlaif;
import dev.rlaif.cli.registry.RegistryServer;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.kafka.TopicReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The fault suite's system under test: the broker ({@code rlaif broker}), a real Apicurio Registry server and each
 * service's own {@code Main}, every one a JVM of its own, as in production. The test kills and restarts them; a
 * supervisor thread plays the role of Kubernetes: a service process that exits by itself (a fatal-for-service
 * failure exits with status 1) is started again, and counted.
 */
final class FaultCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultCluster.class);
    /** Three annotators: a position-inconsistent pair wants 3 distinct ones (README, router). */
    static final List<String> TOKENS = List.of("tester-token-1", "tester-token-2", "tester-token-3");
    private static final List<String> QUIET = List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dorg.slf4j.simpleLogger.log.dev.rlaif=info");

    /** name, main class, heap, HTTP port variable (null: a Kafka-only service). */
    record Svc(String name, String main, String heap, String portVar) {
    }

    static final List<Svc> SERVICES = List.of(
            new Svc("pairing", "dev.rlaif.pairing.Main", "-Xmx256m", null),
            new Svc("judge", "dev.rlaif.judge.Main", "-Xmx384m", null),
            new Svc("router", "dev.rlaif.router.Main", "-Xmx256m", null),
            new Svc("merger", "dev.rlaif.merger.Main", "-Xmx256m", null),
            new Svc("labeling", "dev.rlaif.labeling.Main", "-Xmx256m", "RLAIF_LABELING_PORT"),
            new Svc("trainer", "dev.rlaif.trainer.Main", "-Xmx512m", null),
            new Svc("scorer", "dev.rlaif.scorer.Main", "-Xmx384m", "RLAIF_SCORER_PORT"),
            new Svc("gateway", "dev.rlaif.gateway.Main", "-Xmx256m", "RLAIF_GATEWAY_PORT"));

    private final Path dir;
    private final int brokerPort;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> overrides = new LinkedHashMap<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, ChildJvm> children = new LinkedHashMap<>();
    private final Map<String, Integer> starts = new LinkedHashMap<>();
    private final Set<String> down = new HashSet<>();
    private final List<String> supervisorRestarts = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fault-suite-supervisor");
        t.setDaemon(true);
        return t;
    });
    /** Every broker process started, the killed ones too (their logs tell what the restarted one inherited); the last runs. */
    private final List<ChildJvm> brokers = new ArrayList<>();
    private RegistryServer registry;

    private FaultCluster(Path dir, int brokerPort) {
        this.dir = dir;
        this.brokerPort = brokerPort;
    }

    /** Starts broker, registry and every service (each with {@code serviceEnv} added), and waits until all are ready. */
    static FaultCluster start(Path dir, Map<String, String> serviceEnv, Map<String, Map<String, String>> perService) throws Exception {
        FaultCluster c = new FaultCluster(dir, freePort());
        try {
            c.startBroker();
            c.registry = RegistryServer.start(dir.resolve("registry"), "127.0.0.1", 0, List.of("-Xmx384m"), Duration.ofMinutes(4));
            c.env.put("RLAIF_BOOTSTRAP_SERVERS", c.bootstrap());
            c.env.put("RLAIF_REGISTRY_URL", c.registry.url());
            c.env.put("RLAIF_STATE_DIR", dir.resolve("state").toString());
            c.env.put("RLAIF_LABELING_ANNOTATORS", "tester1:" + TOKENS.get(0) + ",tester2:" + TOKENS.get(1) + ",tester3:" + TOKENS.get(2));
            c.env.put("RLAIF_SIM_ANNOTATORS", "0");
            c.env.put("DJL_CACHE_DIR", System.getenv().getOrDefault("DJL_CACHE_DIR", System.getProperty("user.home") + "/.djl.ai"));
            c.env.putAll(serviceEnv);
            c.overrides.putAll(perService);
            for (Svc svc : SERVICES) {
                if (svc.portVar() != null) {
                    int port = freePort();
                    c.env.put(svc.portVar(), String.valueOf(port));
                    c.urls.put(svc.name(), "http://127.0.0.1:" + port);
                }
            }
            // started together (faster than one by one), then each awaited
            for (Svc svc : SERVICES) {
                c.launch(svc);
            }
            for (Svc svc : SERVICES) {
                c.awaitReady(svc.name());
            }
            c.supervisor.scheduleWithFixedDelay(c::supervise, 2, 2, TimeUnit.SECONDS);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + brokerPort;
    }

    String registryUrl() {
        return registry.url();
    }

    String url(String service) {
        return urls.get(service);
    }

    Path modelsDir() {
        return dir.resolve("state").resolve("models");
    }

    /** Settings that read the topics with the shared registry (typed records). */
    KafkaSettings settings() {
        return KafkaSettings.fromEnv(new Env(Map.of("RLAIF_BOOTSTRAP_SERVERS", bootstrap(), "RLAIF_REGISTRY_URL", registry.url(),
                "RLAIF_STATE_DIR", dir.resolve("probe").toString())));
    }

    /** Restarts the supervisor has done (processes that exited by themselves), as "name (exit code)". */
    synchronized List<String> supervisorRestarts() {
        return List.copyOf(supervisorRestarts);
    }

    /** SIGKILL ({@code destroyForcibly} is SIGKILL on Linux) and wait until the process is gone. */
    void kill(String service) throws InterruptedException {
        ChildJvm child;
        synchronized (this) {
            down.add(service);
            child = children.get(service);
        }
        child.kill();
        log.info("SIGKILLed {} (pid {})", service, child.process().pid());
    }

    /** Starts a killed service again (with extra environment, if given) and waits until it is ready. */
    void restart(String service, Map<String, String> extraEnv) throws Exception {
        synchronized (this) {
            if (extraEnv != null) {
                overrides.computeIfAbsent(service, k -> new LinkedHashMap<>()).putAll(extraEnv);
            }
            launch(svc(service));
            down.remove(service);
        }
        awaitReady(service);
    }

    /** Starts a killed service again without waiting for it. */
    synchronized void launchAgain(String service) throws IOException {
        launch(svc(service));
        down.remove(service);
    }

    /** SIGKILLs the broker. */
    void killBroker() throws InterruptedException {
        brokers.get(brokers.size() - 1).kill();
        log.info("SIGKILLed the broker");
    }

    /** Starts the broker again on the same port and data directory. */
    void restartBroker() throws Exception {
        startBroker();
    }

    private void startBroker() throws Exception {
        brokers.add(startBroker(dir.resolve("logs"), "broker-" + (brokers.size() + 1), brokerPort, dir.resolve("kafka")));
    }

    /**
     * Starts {@code ./rlaif broker} in a JVM of its own, its transaction coordinator logging at INFO (what it did with
     * the markers of a commit it reloaded), and waits until it listens.
     */
    static ChildJvm startBroker(Path logs, String name, int port, Path dataDir) throws Exception {
        ChildJvm b = ChildJvm.start(name, logs, Map.of(), concat(List.of("-Xmx512m", "-Drlaif.log.level.transactions=INFO"), QUIET),
                Rlaif.class.getName(), List.of("broker", "--port", String.valueOf(port), "--data-dir", dataDir.toString()));
        await(name).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                .until(() -> b.stderr().contains("listening at") || !b.isAlive());
        if (!b.isAlive()) {
            throw new AssertionError(name + " exited:\n" + b.stderr());
        }
        return b;
    }

    private Svc svc(String name) {
        return SERVICES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private synchronized void launch(Svc svc) throws IOException {
        int n = starts.merge(svc.name(), 1, Integer::sum);
        Map<String, String> own = new LinkedHashMap<>(env);
        own.putAll(overrides.getOrDefault(svc.name(), Map.of()));
        children.put(svc.name(), ChildJvm.start(svc.name() + "-" + n, dir.resolve("logs"), own,
                concat(List.of(svc.heap()), QUIET), svc.main(), List.of()));
    }

    /** Ready: HTTP services answer /health 200; Kafka-only ones logged "NAME started". */
    void awaitReady(String name) {
        String url = urls.get(name);
        await(name + " ready").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(250)).until(() -> {
            ChildJvm child;
            synchronized (this) {
                child = children.get(name);
            }
            if (!child.isAlive()) {
                return false; // the supervisor starts it again
            }
            return url != null ? healthUp(url) : child.stderr().contains(name + " started");
        });
    }

    private void supervise() {
        try {
            synchronized (this) {
                for (Map.Entry<String, ChildJvm> e : new ArrayList<>(children.entrySet())) {
                    if (!down.contains(e.getKey()) && !e.getValue().isAlive()) {
                        int code = e.getValue().process().exitValue();
                        supervisorRestarts.add(e.getKey() + " (exit " + code + ")");
                        log.warn("{} exited by itself with {}; the supervisor starts it again", e.getKey(), code);
                        launch(svc(e.getKey()));
                    }
                }
            }
        } catch (Exception e) {
            log.warn("supervisor", e);
        }
    }

    boolean healthUp(String url) {
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

    /** GET {@code path} as JSON, or null when the service does not answer 200. */
    JsonNode getJson(String service, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(urls.get(service) + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Json.read(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Each annotator takes and labels tasks until the queue answers 204 (choice A: the suite checks settlement, not
     * taste); returns the labels given.
     */
    int labelEverythingOpen() throws Exception {
        int labeled = 0;
        for (String token : TOKENS) {
            labeled += labelAsAnnotator(token);
        }
        return labeled;
    }

    private int labelAsAnnotator(String token) throws Exception {
        String labeling = urls.get("labeling");
        int labeled = 0;
        for (int i = 0; i < 500; i++) {
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create(labeling + "/api/tasks/next"))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (next.statusCode() != 200) {
                return labeled; // 204: nothing open for this annotator (or the service is restarting: the caller polls again)
            }
            String lease = Json.read(next.body()).get("lease_id").asText();
            String body = Json.write(Map.of("label_id", UUID.randomUUID().toString(), "choice", "A"));
            HttpResponse<String> submit = http.send(HttpRequest.newBuilder(URI.create(labeling + "/api/leases/" + lease + "/submit"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (submit.statusCode() == 200) {
                labeled++;
            }
        }
        return labeled;
    }

    /** Distinct keys of a topic, read as bytes. */
    long distinctKeys(String topic) {
        return TopicReader.readRaw(rawSettings(), topic).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct().count();
    }

    /** Committed records of a topic. */
    long count(String topic) {
        return TopicReader.count(rawSettings(), topic);
    }

    private KafkaSettings rawSettings() {
        return new KafkaSettings(bootstrap(), null, 3, (short) 1, Path.of("."));
    }

    /**
     * What to read when a phase does not settle (the logs live in a temporary directory that is gone after the run):
     * the broker's and every service's last {@code lines} lines of stderr, and whether each is alive.
     */
    synchronized String diagnosis(int lines) {
        StringBuilder out = new StringBuilder(transactions(bootstrap()));
        if (registry != null) {
            List<String> reg;
            try {
                reg = java.nio.file.Files.readAllLines(registry.dataDir().resolve("registry.log"));
            } catch (IOException e) {
                reg = List.of("(unreadable: " + e + ")");
            }
            appendLast(out, "registry" + (registry.isAlive() ? " (alive)" : " (exited)"), "log lines", reg, lines);
        }
        for (int i = 0; i < brokers.size(); i++) {
            // the transaction coordinator's notable lines (it logs at INFO here), wherever they are in the log
            appendLast(out, "broker-" + (i + 1), "notable lines", brokers.get(i).stderr().lines()
                    .filter(l -> l.matches("(?i).*(error|hanging|skipp|couldn't|cancel|replaced|sweep|abort).*")).toList(), lines);
        }
        Map<String, ChildJvm> all = new LinkedHashMap<>();
        if (!brokers.isEmpty()) {
            all.put("broker", brokers.get(brokers.size() - 1));
        }
        all.putAll(children);
        for (Map.Entry<String, ChildJvm> e : all.entrySet()) {
            appendLast(out, e.getKey() + (e.getValue().isAlive() ? " (alive)" : " (exited)"), "stderr lines",
                    e.getValue().stderr().lines().toList(), lines);
        }
        return out.toString();
    }

    /** "---- NAME, last n of N WHAT" and those lines, each cut at 400 characters. */
    private static void appendLast(StringBuilder out, String name, String what, List<String> all, int n) {
        List<String> last = all.subList(Math.max(0, all.size() - n), all.size());
        out.append("---- ").append(name).append(", last ").append(last.size()).append(" of ").append(all.size())
                .append(' ').append(what).append('\n');
        for (String l : last) {
            out.append(l.length() > 400 ? l.substring(0, 400) + "..." : l).append('\n');
        }
    }

    /**
     * The transactions that hold readers back, as the broker reports them: every partition whose last stable offset
     * (where read_committed readers stop) is behind its end, the transactions open on it (producer, first offset,
     * last write), and every transaction its coordinator does not hold complete (state, age, partitions).
     */
    static String transactions(String bootstrap) {
        StringBuilder out = new StringBuilder("---- transactions\n");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000))) {
            long now = System.currentTimeMillis();
            List<TopicPartition> partitions = TopicAdmin.allPartitions(admin, true, Duration.ofSeconds(20));
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(20, TimeUnit.SECONDS);
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(20, TimeUnit.SECONDS);
            var producers = admin.describeProducers(partitions).all().get(20, TimeUnit.SECONDS);
            for (TopicPartition tp : partitions.stream().sorted(java.util.Comparator.comparing(TopicPartition::toString)).toList()) {
                long end = ends.get(tp).offset();
                long lso = stable.get(tp).offset();
                List<ProducerState> open = producers.get(tp).activeProducers().stream()
                        .filter(p -> p.currentTransactionStartOffset().isPresent()).toList();
                if (end == lso && open.isEmpty()) {
                    continue;
                }
                out.append(tp).append(": end ").append(end).append(", last stable ").append(lso).append('\n');
                for (ProducerState p : open) {
                    out.append("  open: producer ").append(p.producerId()).append(" epoch ").append(p.producerEpoch())
                            .append(" from offset ").append(p.currentTransactionStartOffset().getAsLong())
                            .append(", last write ").append((now - p.lastTimestamp()) / 1000).append(" s ago, coordinator epoch ")
                            .append(p.coordinatorEpoch().orElse(-1)).append('\n');
                }
            }
            List<String> unfinished = admin.listTransactions().all().get(20, TimeUnit.SECONDS).stream()
                    .filter(l -> l.state() != TransactionState.EMPTY && l.state() != TransactionState.COMPLETE_COMMIT
                            && l.state() != TransactionState.COMPLETE_ABORT)
                    .map(TransactionListing::transactionalId).sorted().toList();
            if (!unfinished.isEmpty()) {
                admin.describeTransactions(unfinished).all().get(20, TimeUnit.SECONDS).forEach((id, d) -> out.append("txn ")
                        .append(id).append(": ").append(d.state()).append(", producer ").append(d.producerId()).append(" epoch ")
                        .append(d.producerEpoch()).append(", started ")
                        .append(d.transactionStartTimeMs().isPresent() ? (now - d.transactionStartTimeMs().getAsLong()) / 1000 + " s ago" : "-")
                        .append(", timeout ").append(d.transactionTimeoutMs()).append(" ms, partitions ").append(d.topicPartitions())
                        .append('\n'));
            }
        } catch (Exception e) {
            out.append("(unknown: ").append(e).append(")\n");
        }
        return out.toString();
    }

    /** {@code rlaif status}'s summary. */
    JsonNode status() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int rc;
        synchronized (FaultCluster.class) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                CommandLine cli = Rlaif.commandLine();
                rc = cli.execute("status", "--bootstrap-servers", bootstrap(), "--registry-url", registry.url());
            } finally {
                System.setOut(saved);
            }
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        if (rc != 0 || lines.isEmpty()) {
            throw new IllegalStateException("rlaif status failed with " + rc);
        }
        return Json.read(lines.get(lines.size() - 1)).get("summary");
    }

    @Override
    public void close() {
        supervisor.shutdownNow();
        List<AutoCloseable> all = new ArrayList<>();
        synchronized (this) {
            down.addAll(children.keySet());
            all.addAll(children.values());
        }
        if (registry != null) {
            all.add(registry);
        }
        all.addAll(brokers); // the killed ones are gone already: closing them is a no-op
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing", e);
            }
        }
        keepLogs();
    }

    /** Copies every process's log to {@code target/fault-suite-logs} (the run's own directory is deleted after it). */
    private void keepLogs() {
        Path to = Path.of("target", "fault-suite-logs");
        try (java.util.stream.Stream<Path> logs = java.nio.file.Files.list(dir.resolve("logs"))) {
            java.nio.file.Files.createDirectories(to);
            for (Path f : logs.toList()) {
                java.nio.file.Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Path reg = dir.resolve("registry").resolve("registry.log");
            if (java.nio.file.Files.exists(reg)) {
                java.nio.file.Files.copy(reg, to.resolve("registry.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.warn("could not keep the logs: {}", e.toString());
        }
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
