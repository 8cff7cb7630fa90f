package dev.rlaif.cli.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.cli.ingest.HttpSink;
import dev.rlaif.cli.ingest.IngestCommand;
import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.judge.bench.SimulatedOpenAiEndpoint;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.Verdict;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault suite (issue 11 item 6): one system of separate processes (broker, Apicurio Registry, every service's
 * own JVM, a fake OpenAI-compatible judge model in this JVM), faults injected phase by phase, and after each phase the
 * topics are counted: every pair settled exactly once (pairs = judgments = preferences, distinct), nothing
 * dead-lettered, no human label doubled. Each phase prints what it injected and what it counted.
 *
 * <ol>
 *   <li>SIGKILL of each service process mid-stream (records acknowledged just before, more sent while it is down),
 *       then a restart; the gateway between batches.</li>
 *   <li>SIGKILL of the broker mid-stream, restarted on the same port and data directory.</li>
 *   <li>The LLM endpoint down (connection refused), then back with 1.5 s answers: pairs judged during the outage are
 *       UNAVAILABLE and escalated to humans; none lost, none judged twice.</li>
 *   <li>The trainer SIGKILLed again and again while it trains and writes versions, the scorer polled all along: every
 *       version the scorer reported is a complete directory (manifest and weights readable).</li>
 * </ol>
 *
 * <p>The phases share the system and build on each other's counts (the totals grow phase by phase), so they run in
 * order; a failed phase fails the ones after it too.
 */
@Tag("broker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteTest {

    private static final Path DATA = SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");

    @TempDir
    static Path dir;

    private FaultCluster cluster;
    private FakeLlm llm;
    private final Set<String> sentPrompts = ConcurrentHashMap.newKeySet();
    private int comparisons;

    @BeforeAll
    void start() throws Exception {
        long t0 = System.nanoTime();
        llm = new FakeLlm(FaultCluster.freePort());
        llm.up(50);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RLAIF_JUDGE_LLM_URL", "http://127.0.0.1:" + llm.port + "/v1");
        env.put("RLAIF_JUDGE_LLM_MODEL", "fault-suite-judge");
        env.put("RLAIF_JUDGE_SAMPLES", "4");
        env.put("RLAIF_JUDGE_CRITIQUES", "false");
        env.put("RLAIF_JUDGE_TIMEOUT", "20s");
        env.put("RLAIF_JUDGE_RETRY_INITIAL_BACKOFF", "200ms");
        env.put("RLAIF_JUDGE_RETRY_MAX_BACKOFF", "1s");
        env.put("RLAIF_JUDGE_BREAKER_OPEN_FOR", "2s");
        env.put("RLAIF_TRAINER_MIN_LABELS", "10000");
        env.put("RLAIF_TRAINER_ENCODER", "hashing-256");
        env.put("RLAIF_SCORER_ENCODER", "hashing-256");
        cluster = FaultCluster.start(dir, env, Map.of());
        System.out.printf("[faults] system up: broker, registry, %d service processes in %.1f s%n",
                FaultCluster.SERVICES.size(), secs(t0));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (llm != null) {
            llm.down();
        }
    }

    @Test
    @Order(1)
    void eachServiceSigkilledMidStreamAndRestarted() throws Exception {
        long t0 = System.nanoTime();
        List<String> injected = new ArrayList<>();
        for (String svc : List.of("pairing", "judge", "router", "merger", "labeling", "trainer", "gateway")) {
            ingest(3);
            if (svc.equals("gateway")) {
                // between batches: a batch the gateway had not acknowledged is the client's to send again
                cluster.kill(svc);
                cluster.restart(svc, null);
                ingest(2);
            } else {
                cluster.kill(svc); // right after 3 comparisons were acknowledged: they are in flight downstream
                ingest(2);         // and 2 more arrive while it is down
                cluster.restart(svc, null);
            }
            injected.add(svc);
        }
        settled("SIGKILL + restart of " + String.join(", ", injected), t0, Integer.MAX_VALUE);
    }

    @Test
    @Order(2)
    void brokerSigkilledMidStreamAndRestarted() throws Exception {
        long t0 = System.nanoTime();
        ingest(8);
        cluster.killBroker();
        Thread.sleep(5_000); // the outage's length, an injected fault: nothing is asserted on it
        cluster.restartBroker();
        ingest(8);           // the gateway answers 503 until its producer reconnects; the client retries
        settled("SIGKILL of the broker mid-stream, 5 s down, restarted on the same port and data dir", t0, Integer.MAX_VALUE);
    }

    @Test
    @Order(3)
    void llmDownThenSlowPairsEscalatedNoneLostNoneJudgedTwice() throws Exception {
        long t0 = System.nanoTime();
        long rawBefore = cluster.count("judgments");
        Set<String> before = judgments().keySet();
        llm.down();
        ingest(8);
        try {
            await("the outage's pairs judged").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> cluster.distinctKeys("judgments") >= comparisons);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the outage's pairs not judged: " + comparisons + " comparisons; status: "
                    + statusOrWhy() + "\n" + cluster.diagnosis(40), e);
        }
        Map<String, Judgment> afterOutage = judgments();
        Set<String> outage = new HashSet<>(afterOutage.keySet());
        outage.removeAll(before);
        int requestsBefore = llm.requests();
        llm.up(1_500);
        ingest(8);
        JsonNode s = settled("LLM endpoint down (connection refused) for 8 comparisons, then back with 1.5 s answers for 8 more", t0, 0);

        Map<String, Judgment> all = judgments();
        assertThat(outage).hasSize(8);
        assertThat(outage).allSatisfy(id -> assertThat(afterOutage.get(id).getVerdict()).isEqualTo(Verdict.UNAVAILABLE));
        Set<String> slow = new HashSet<>(all.keySet());
        slow.removeAll(before);
        slow.removeAll(outage);
        assertThat(slow).hasSize(8);
        // back: the slow model's verdicts count (a pair that met the breaker still half-open would be UNAVAILABLE)
        long recovered = slow.stream().filter(id -> all.get(id).getVerdict() != Verdict.UNAVAILABLE).count();
        assertThat(recovered).as("pairs judged by the slow model").isPositive();
        Set<String> unavailable = all.entrySet().stream().filter(e -> e.getValue().getVerdict() == Verdict.UNAVAILABLE)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Set<String> escalatedUnavailable = TopicReader.readAll(cluster.settings(), Topics.ESCALATIONS).stream()
                .filter(r -> r.value().getReason() == EscalationReason.JUDGE_UNAVAILABLE).map(ConsumerRecord::key)
                .collect(Collectors.toSet());
        assertThat(escalatedUnavailable).containsAll(outage).containsAll(unavailable);

        // once the breaker has closed again, a later batch is judged by the slow model, every pair
        Set<String> beforeLast = all.keySet();
        ingest(4);
        settled("4 more comparisons after the recovery", t0, 0);
        Map<String, Judgment> last = judgments();
        Set<String> lastBatch = new HashSet<>(last.keySet());
        lastBatch.removeAll(beforeLast);
        long lastByModel = lastBatch.stream().filter(id -> last.get(id).getVerdict() != Verdict.UNAVAILABLE).count();
        assertThat(lastBatch).hasSize(4);
        assertThat(lastByModel).as("after the recovery every pair is judged by the model").isEqualTo(4);
        long raw = cluster.count("judgments") - rawBefore;
        System.out.printf("[faults] llm: %d pairs UNAVAILABLE during the outage, all escalated (JUDGE_UNAVAILABLE) and labeled; "
                        + "%d sent right after it came back with 1.5 s answers, %d of them judged by the model (the breaker, "
                        + "half-open, admits 2 calls: the rest went to humans as UNAVAILABLE); %d sent later, %d judged by the "
                        + "model (%d model requests); judgment records this phase: %d for %d pairs%n",
                outage.size(), slow.size(), recovered, lastBatch.size(), lastByModel, llm.requests() - requestsBefore, raw,
                outage.size() + slow.size() + lastBatch.size());
        assertThat(raw).as("no pair judged twice").isEqualTo(outage.size() + slow.size() + lastBatch.size());
        assertThat(s.get("dlq").asLong()).isZero();
    }

    @Test
    @Order(4)
    void trainerSigkilledWhileWritingVersionsScorerNeverServesAHalfWrittenModel() throws Exception {
        long t0 = System.nanoTime();
        Set<String> served = ConcurrentHashMap.newKeySet();
        AtomicLong polls = new AtomicLong();
        AtomicInteger scorerDown = new AtomicInteger();
        List<String> incomplete = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread poller = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                JsonNode h = cluster.getJson("scorer", "/health");
                if (h == null && Thread.currentThread().isInterrupted()) {
                    return; // the test stopped the poller mid-request: not an answer of the scorer's
                }
                polls.incrementAndGet();
                if (h == null) {
                    scorerDown.incrementAndGet();
                } else if (h.hasNonNull("model_version")) {
                    String v = h.get("model_version").asText();
                    if (served.add(v)) {
                        try {
                            assertComplete(v); // checked the moment the scorer first reports it
                        } catch (AssertionError | IOException | RuntimeException e) {
                            incomplete.add(v + ": " + e.getMessage());
                        }
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "scorer-poller");
        poller.setDaemon(true);
        poller.start();
        Map<String, String> training = Map.of("RLAIF_TRAINER_MIN_LABELS", "4", "RLAIF_TRAINER_MAX_WAIT", "500ms",
                "RLAIF_TRAINER_MIN_INTERVAL", "200ms", "RLAIF_TRAINER_EPOCHS", "60", "RLAIF_TRAINER_MAX_STEPS", "400");
        cluster.kill("trainer");
        int kills = 0;
        List<Long> delays = List.of(1_500L, 3_000L, 4_500L, 6_000L);
        try {
            for (long delay : delays) {
                cluster.restart("trainer", training);
                ingest(3);
                Thread.sleep(delay); // when to strike, an injected fault: staggered to land before, in and after writes
                cluster.kill("trainer");
                kills++;
            }
            List<String> afterKills = completeVersions();
            long tmpLeft = tmpDirs();
            cluster.restart("trainer", training);
            ingest(3);
            JsonNode s = settled("trainer SIGKILLed " + kills + " times while training (1.5-6 s after each start), scorer polled", t0, 0);
            int publishedBefore = afterKills.size();
            String newestBefore = afterKills.isEmpty() ? "" : afterKills.get(afterKills.size() - 1);
            await("a version written after the kills, and served").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        List<String> v = completeVersions(); // the store keeps the newest 5 (and the published one)
                        return !v.isEmpty() && v.get(v.size() - 1).compareTo(newestBefore) > 0 && served.contains(currentVersion());
                    });
            poller.interrupt();
            poller.join(10_000);

            List<String> versionsOnTopic = TopicReader.readAll(cluster.settings(), Topics.MODEL_VERSIONS).stream()
                    .map(r -> r.value().getVersion()).distinct().toList();
            System.out.printf("[faults] trainer: %d SIGKILLs; %d complete versions written during the kills, %d temp dirs "
                            + "left by killed writes; versions on model-versions: %s, on disk now: %s; scorer polled %d times, "
                            + "reported %s, unreachable %d times%n",
                    kills, publishedBefore, tmpLeft, new java.util.TreeSet<>(versionsOnTopic), completeVersions(), polls.get(),
                    new java.util.TreeSet<>(served), scorerDown.get());
            assertThat(served).as("the scorer served versions").isNotEmpty();
            assertThat(incomplete).as("versions the scorer reported that were not complete when it did").isEmpty();
            // the trainer prunes old unpublished versions (ModelStore.prune): a version is complete or gone, never partial
            List<String> onDisk = completeVersions();
            try (Stream<Path> dirs = Files.list(cluster.modelsDir())) {
                for (Path d : dirs.filter(p -> p.getFileName().toString().matches("v\\d+")).toList()) {
                    assertComplete(d.getFileName().toString());
                }
            }
            for (String v : versionsOnTopic) {
                if (Files.exists(cluster.modelsDir().resolve(v))) {
                    assertComplete(v);
                } else {
                    assertThat(v).as("only older versions are pruned").isLessThan(onDisk.get(onDisk.size() - 1));
                }
            }
            assertComplete(currentVersion());
            assertThat(scorerDown.get()).as("the scorer stayed up").isZero();
            assertThat(s.get("dlq").asLong()).isZero();
        } finally {
            poller.interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Sends the next {@code n} comparisons of the data set through the gateway, in one batch. */
    private void ingest(int n) throws Exception {
        Set<String> batch = new HashSet<>();
        long sent = IngestCommand.send(DATA, DatasetFormat.HH_RLHF, (long) comparisons + n, 2 * n, 0, "fault-suite",
                new HttpSink(cluster.url("gateway"), null), false, g -> {
                    if (sentPrompts.contains(g.getPromptId())) {
                        return false;
                    }
                    batch.add(g.getPromptId());
                    return true;
                });
        assertThat(sent).isEqualTo(2L * n);
        sentPrompts.addAll(batch);
        comparisons += n;
    }

    /**
     * Labels every escalation until every pair has a preference, waits until the consumer groups drained, and checks
     * that every pair settled exactly once; prints the phase's counts.
     *
     * @param maxExtraJudgments how many judgment records beyond one per pair the phase may have written in total
     *                          (a judge killed with pairs in flight judges those again: README "Guarantees")
     */
    private String statusOrWhy() {
        try {
            return cluster.status().toString();
        } catch (RuntimeException e) {
            return "(status failed: " + e + ")";
        }
    }

    private JsonNode settled(String injected, long t0, int maxExtraJudgments) {
        int[] labeled = new int[1];
        try {
            await("every pair settled").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
                labeled[0] += cluster.labelEverythingOpen();
                return cluster.distinctKeys("preferences") >= comparisons;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not settled after '" + injected + "': " + comparisons + " comparisons; status: "
                    + statusOrWhy() + "\n" + cluster.diagnosis(40), e);
        }
        JsonNode[] last = new JsonNode[1];
        try {
            await("drained").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
                labeled[0] += cluster.labelEverythingOpen();
                last[0] = cluster.status();
                return last[0].get("drained").asBoolean() && last[0].get("open_escalations").asLong() == 0;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not drained after '" + injected + "'; last status: " + last[0] + "\n" + cluster.diagnosis(40), e);
        }
        JsonNode s = last[0];
        long rawJudgments = cluster.count("judgments");
        System.out.printf("[faults] injected: %s | counted after %.1f s: comparisons %d, generations %d, pairs %d, judgments %d "
                        + "(records %d), escalations %d, human labels %d (duplicates %d, %d given this phase), preferences %d, dlq %d, "
                        + "supervisor restarts %s%n",
                injected, secs(t0), comparisons, s.get("generations").asLong(), s.get("pairs").asLong(), s.get("judgments").asLong(),
                rawJudgments, s.get("escalations").asLong(), s.get("human_labels").asLong(), s.get("duplicate_human_labels").asLong(),
                labeled[0], s.get("preferences").asLong(), s.get("dlq").asLong(), cluster.supervisorRestarts());
        assertThat(s.get("generations").asLong()).isEqualTo(2L * comparisons);
        assertThat(s.get("pairs").asLong()).isEqualTo(comparisons);
        assertThat(s.get("judgments").asLong()).isEqualTo(comparisons);
        assertThat(s.get("preferences").asLong()).isEqualTo(comparisons);
        assertThat(s.get("open_escalations").asLong()).isZero();
        assertThat(s.get("human_labels").asLong()).isGreaterThanOrEqualTo(s.get("escalations").asLong());
        assertThat(s.get("duplicate_human_labels").asLong()).isZero();
        assertThat(s.get("dlq").asLong()).isZero();
        if (maxExtraJudgments != Integer.MAX_VALUE) {
            assertThat(rawJudgments - comparisons).isLessThanOrEqualTo(maxExtraJudgments + extraJudgmentsSoFar);
        }
        extraJudgmentsSoFar = rawJudgments - comparisons;
        return s;
    }

    private long extraJudgmentsSoFar;

    private Map<String, Judgment> judgments() {
        Map<String, Judgment> out = new LinkedHashMap<>();
        TopicReader.readAll(cluster.settings(), Topics.JUDGMENTS).forEach(r -> out.put(r.key(), r.value()));
        return out;
    }

    /** Complete version directories (what ModelStore lists), oldest first. */
    private List<String> completeVersions() {
        try (ModelStore store = ModelStore.open(cluster.modelsDir())) {
            return store.versions();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String currentVersion() throws IOException {
        Path current = cluster.modelsDir().resolve(ModelStore.CURRENT);
        return Files.exists(current) ? Files.readString(current).strip() : "";
    }

    private long tmpDirs() throws IOException {
        try (Stream<Path> s = Files.list(cluster.modelsDir())) {
            return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count();
        }
    }

    /** A version directory with a readable manifest naming it and readable weights of the manifest's shape. */
    private void assertComplete(String version) throws IOException {
        Path d = cluster.modelsDir().resolve(version);
        assertThat(d).as("version " + version).isDirectory();
        ModelManifest m = ModelStore.readManifest(d);
        assertThat(m.version()).isEqualTo(version);
        EnsembleWeights w = EnsembleWeights.read(d.resolve(EnsembleWeights.FILE));
        assertThat(w.inputDim()).isEqualTo(m.features().dimension());
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * The judge's model server: an OpenAI-compatible endpoint on a fixed port that prefers the longer answer in
     * either order (so verdicts are position-consistent and confident); {@link #down()} closes it (connection
     * refused), {@link #up(long)} opens it again with the given latency.
     */
    private static final class FakeLlm {
        private final int port;
        private SimulatedOpenAiEndpoint endpoint;
        private int requests;

        FakeLlm(int port) {
            this.port = port;
        }

        synchronized void up(long delayMs) throws Exception {
            SimulatedOpenAiEndpoint.Behavior prefersLonger = req -> {
                String token = req.firstAnswer().length() >= req.secondAnswer().length() ? "[[A]]" : "[[B]]";
                List<String> answers = new ArrayList<>();
                for (int i = 0; i < req.n(); i++) {
                    answers.add("The answers differ in how much they help. " + token);
                }
                return SimulatedOpenAiEndpoint.Reply.answers(delayMs, answers);
            };
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    endpoint = new SimulatedOpenAiEndpoint(port, 8, SimulatedOpenAiEndpoint.NMode.HONOUR, prefersLonger);
                    return;
                } catch (BindException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(500); // the port is still being released
                }
            }
        }

        synchronized void down() {
            if (endpoint != null) {
                requests += endpoint.requests();
                endpoint.close();
                endpoint = null;
            }
        }

        synchronized int requests() {
            return requests + (endpoint == null ? 0 : endpoint.requests());
        }
    }
}
