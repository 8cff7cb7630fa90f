package dev.rlaif.judge.bench;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.LocalBroker;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.judge.JudgeServiceProvider;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.PairedResponse;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Measures how well the judge keeps a model server busy: the real judge service (Kafka consumer, GenRM judge, OpenAI
 * SDK client, retries, critiques, producer) on an in-process broker, against a {@link SimulatedOpenAiEndpoint} that
 * answers every request after a fixed latency through at most {@code concurrency} requests at once. The server's
 * capacity is {@code concurrency / latency} requests per second; the efficiency is the request rate the judge achieved
 * over the server's active period divided by that capacity. 1.0 means the judge never left a server slot idle.
 */
public final class JudgeBench {

    /**
     * @param pairs       pairs to judge
     * @param samples     samples per pair (k)
     * @param latencyMs   the server's fixed latency per request
     * @param concurrency the server's concurrency cap
     * @param maxInFlight the judge's cap on requests in flight (RLAIF_JUDGE_MAX_IN_FLIGHT)
     * @param nMode       whether the server honours n (one request per order) or ignores it (k single requests)
     * @param critiques   whether the judge also critiques both responses
     */
    public record Options(int pairs, int samples, long latencyMs, int concurrency, int maxInFlight,
                          SimulatedOpenAiEndpoint.NMode nMode, boolean critiques) {
    }

    /** What was measured. */
    public record Result(Options options, int judgments, int requests, long completions, double seconds,
                         double requestsPerSecond, double completionsPerSecond, double capacityPerSecond,
                         double efficiency, double wallSeconds) {

        public String json() {
            return String.format(java.util.Locale.ROOT,
                    "{\"judge_efficiency\": %.4f, \"requests_per_s\": %.2f, \"capacity_requests_per_s\": %.2f, "
                            + "\"completions_per_s\": %.2f, \"pairs\": %d, \"judgments\": %d, \"requests\": %d, "
                            + "\"samples_per_pair\": %d, \"latency_ms\": %d, \"endpoint_concurrency\": %d, "
                            + "\"judge_max_in_flight\": %d, \"server_n\": \"%s\", \"critiques\": %b, \"active_s\": %.2f, "
                            + "\"wall_s\": %.2f, \"cores\": %d}",
                    efficiency, requestsPerSecond, capacityPerSecond, completionsPerSecond, options.pairs(), judgments,
                    requests, options.samples(), options.latencyMs(), options.concurrency(), options.maxInFlight(),
                    options.nMode().name().toLowerCase(), options.critiques(), seconds, wallSeconds,
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private JudgeBench() {
    }

    /** Runs the benchmark; {@code progress} gets human-readable lines. */
    public static Result run(Options o, Consumer<String> progress) throws Exception {
        long wallStart = System.nanoTime();
        Path state = Files.createTempDirectory("rlaif-judge-bench");
        try (LocalBroker kafka = LocalBroker.startTemporary();
             SimulatedOpenAiEndpoint server = new SimulatedOpenAiEndpoint(o.concurrency(), o.nMode(),
                     behavior(o.latencyMs()))) {
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), null, 3, (short) 1, state);
            TopicAdmin.createAll(settings);
            produce(settings, o.pairs());
            progress.accept(o.pairs() + " pairs produced; judging against a simulated endpoint with " + o.concurrency()
                    + " slots of " + o.latencyMs() + " ms (n " + o.nMode().name().toLowerCase() + ")");

            Map<String, String> env = new HashMap<>();
            env.put("RLAIF_JUDGE_LLM_URL", server.baseUrl());
            env.put("RLAIF_JUDGE_LLM_MODEL", "sim-judge");
            env.put("RLAIF_JUDGE_SAMPLES", String.valueOf(o.samples()));
            env.put("RLAIF_JUDGE_MAX_IN_FLIGHT", String.valueOf(o.maxInFlight()));
            env.put("RLAIF_JUDGE_CRITIQUES", String.valueOf(o.critiques()));
            env.put("RLAIF_JUDGE_GROUP_ID", "judge-bench");
            ServiceContext ctx = ServiceContext.of(settings, new Env(env));
            RlaifService judge = new JudgeServiceProvider().create(ctx);
            judge.start();
            try {
                // generous: ten times the ideal duration, and at least a minute
                long idealMs = (long) o.pairs() * (o.samples() + 2) * o.latencyMs() / o.concurrency();
                long deadline = System.nanoTime() + Math.max(60_000, 10 * idealMs) * 1_000_000L;
                int done = 0;
                int reported = 0;
                while (System.nanoTime() < deadline) {
                    done = (int) ctx.metrics().find("rlaif_judge_judgments_total").counters().stream()
                            .mapToDouble(Counter::count).sum();
                    if (done >= o.pairs() && judge.idle()) {
                        break;
                    }
                    if (done - reported >= Math.max(1, o.pairs() / 5)) {
                        progress.accept(done + "/" + o.pairs() + " pairs judged");
                        reported = done;
                    }
                    Thread.sleep(20);
                }
                double seconds = server.activeNanos() / 1e9;
                double capacity = o.concurrency() * 1000.0 / o.latencyMs();
                double rps = server.answered() / seconds;
                return new Result(o, done, server.answered(), server.choices(), seconds, rps,
                        server.choices() / seconds, capacity, rps / capacity, (System.nanoTime() - wallStart) / 1e9);
            } finally {
                judge.close();
            }
        } finally {
            TempDirs.deleteTree(state);
        }
    }

    /** Answers every request after the fixed latency: a verdict for each of n samples, or a critique. */
    static SimulatedOpenAiEndpoint.Behavior behavior(long latencyMs) {
        String critique = "{\"instruction_following\": {\"score\": 8, \"text\": \"follows the request\"}, "
                + "\"correctness\": {\"score\": 7, \"text\": \"mostly right\"}, "
                + "\"style\": {\"score\": 6, \"text\": \"a little long\"}, \"summary\": \"solid answer\"}";
        return req -> {
            if (req.critique()) {
                return SimulatedOpenAiEndpoint.Reply.answers(latencyMs, List.of(critique));
            }
            String token = req.firstAnswer().length() >= req.secondAnswer().length() ? "[[A]]" : "[[B]]";
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < req.n(); i++) {
                answers.add("Both answers address the question; the first is " + (token.equals("[[A]]") ? "more" : "less")
                        + " complete and equally clear. " + token);
            }
            return SimulatedOpenAiEndpoint.Reply.answers(latencyMs, answers);
        };
    }

    /**
     * Writes the input pairs. The input is not what is measured, so a send that fails on the freshly started broker
     * (seen under load: expired batches, out-of-order sequences of the idempotent producer) is simply sent again.
     */
    private static void produce(KafkaSettings settings, int n) throws Exception {
        awaitLeaders(settings);
        List<ComparisonPair> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pending.add(pair(i));
        }
        Map<String, Object> config = new HashMap<>(Clients.producerConfig(settings, "judge-bench-producer"));
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        for (int round = 0; round < 5 && !pending.isEmpty(); round++) {
            List<ComparisonPair> failed = java.util.Collections.synchronizedList(new ArrayList<>());
            try (KafkaProducer<String, ComparisonPair> p = new KafkaProducer<>(config,
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    dev.rlaif.common.serde.AvroSerdes.from(settings).serializer())) {
                for (ComparisonPair pair : pending) {
                    p.send(new ProducerRecord<>(Topics.PAIRS.name(), pair.getPairId(), pair), (md, e) -> {
                        if (e != null) {
                            failed.add(pair);
                        }
                    });
                }
                p.flush();
            }
            pending = new ArrayList<>(failed);
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException(pending.size() + " input pairs could not be written to the embedded broker");
        }
    }

    private static ComparisonPair pair(int i) {
        String ga = "bench-a-" + i;
        String gb = "bench-b-" + i;
        return ComparisonPair.newBuilder()
                .setPairId(PairIds.pairId(ga, gb))
                .setPromptId("bench-prompt-" + i)
                .setPrompt(List.of(new ChatMessage("user", "Question number " + i + ": how do tides work?")))
                .setA(new PairedResponse(ga, "The Moon's gravity pulls the oceans; answer " + i + ".", "sim", "1"))
                .setB(new PairedResponse(gb, "Wind, answer " + i + ".", "sim", "1"))
                .setCreatedAt(Instant.now())
                .build();
    }

    /** Waits until every partition of the freshly created pairs topic has a leader. */
    private static void awaitLeaders(KafkaSettings settings) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", settings.bootstrapServers()))) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                try {
                    var d = admin.describeTopics(List.of(Topics.PAIRS.name())).allTopicNames().get().get(Topics.PAIRS.name());
                    if (d.partitions().stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty())) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    // not visible yet
                }
                Thread.sleep(100);
            }
        }
    }

    /** Runs without the launcher: same options as {@code ./rlaif bench judge}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new JudgeBenchCommand()).execute(args));
    }
}
