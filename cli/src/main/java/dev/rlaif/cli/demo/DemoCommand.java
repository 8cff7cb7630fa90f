package dev.rlaif.cli.demo;

import dev.rlaif.cli.ingest.HttpSink;
import dev.rlaif.cli.ingest.IngestCommand;
import dev.rlaif.cli.run.ServiceRunner;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.Datasets;
import dev.rlaif.common.dataset.PreferenceExample;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.json.Json;
import dev.rlaif.broker.EmbeddedKafka;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.sim.GoldOracle;
import dev.rlaif.common.topic.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The one-command demo: a real Kafka broker in this JVM, every service, and a dataset replayed through the gateway
 * as generations. With {@code --limit N} it replays N comparisons, waits until the pipeline has drained, prints a
 * summary counted from the topics (last line: {@code {"summary": {...}}}) and exits.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline in this process on an embedded Kafka broker and replay a dataset through it.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--limit", description = "replay N comparisons, wait for the pipeline to drain, print the summary and exit")
    Long limit;

    @Option(names = "--data", description = "dataset to replay (default: ../shared/data/hh-rlhf-harmless/pairs.jsonl.gz)")
    Path data;

    @Option(names = "--format", description = "format of --data (default: detected)")
    String format;

    @Option(names = "--rate", defaultValue = "0",
            description = "comparisons replayed per second; 0 = as fast as the gateway takes them (default). A slower "
                    + "replay lets the first reward model arrive mid-stream, so later pairs get AI labels")
    double rate;

    @Option(names = "--llm-url", description = "OpenAI-compatible base URL of an LLM judge (default: the reward-model judge)")
    String llmUrl;

    @Option(names = "--llm-model", description = "model name at --llm-url")
    String llmModel;

    @Option(names = "--llm-api-key-env", description = "name of the environment variable holding the LLM API key")
    String llmApiKeyEnv;

    @Option(names = "--sim-annotators", defaultValue = "3",
            description = "simulated annotators answering escalations from the dataset's gold labels (default ${DEFAULT-VALUE}; 0 = none)")
    int simAnnotators;

    @Option(names = "--ui-port", defaultValue = "8085", description = "port of the labeling UI (default ${DEFAULT-VALUE}; a free one if taken)")
    int uiPort;

    @Option(names = "--drain-timeout", defaultValue = "PT20M", description = "longest wait for the pipeline to drain (ISO-8601, default ${DEFAULT-VALUE})")
    Duration drainTimeout;

    @Option(names = "--keep-running", description = "keep serving after the summary until Ctrl-C (default when no --limit)")
    Boolean keepRunning;

    @Option(names = "--state-dir", description = "keep state here (default: a temporary directory, deleted at exit); the same "
            + "command on the same directory after a crash resumes the run")
    Path stateDir;

    @Option(names = "--env", description = "extra configuration, NAME=VALUE (repeatable)")
    Map<String, String> extraEnv = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        Path dataset = data != null ? data : SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");
        DatasetFormat fmt = format == null ? DatasetFormat.detect(dataset) : DatasetFormat.parse(format);
        if (fmt == DatasetFormat.GENERATIONS) {
            System.err.println("rlaif demo: --data must hold comparisons (hh-rlhf, pairwise, pandalm)");
            return 2;
        }
        boolean temporary = stateDir == null;
        Path state = temporary ? Files.createTempDirectory("rlaif-demo") : stateDir;
        boolean stayUp = keepRunning != null ? keepRunning : limit == null;

        DatasetOracle oracle = new DatasetOracle();
        try (Stream<PreferenceExample> s = Datasets.readPairs(dataset, fmt)) {
            (limit == null ? s : s.limit(limit)).forEach(oracle::remember);
        }

        log("starting an embedded Kafka broker");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(state.resolve("kafka"), 0, false);
             ServiceRunner runner = new ServiceRunner()) {
            // The schema registry of this one process, durable under the state directory: the ids in the topics,
            // changelogs and stores keep their meaning when a killed demo starts again on the same --state-dir.
            String registryUrl = state.toAbsolutePath().resolve("schemas.jsonl").toUri().toString();
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), registryUrl, 3, (short) 1, state);
            TopicAdmin.createAll(settings);
            // A restarted demo resumes its replay: generations already in Kafka (acknowledged before the kill) are
            // not sent again. Their ids are derived from the data, so a batch cut off mid-way is re-sent exactly.
            Set<String> alreadyIn = TopicReader.readAll(settings, Topics.GENERATIONS).stream()
                    .map(r -> r.value().getGenerationId()).collect(Collectors.toSet());
            if (!alreadyIn.isEmpty()) {
                log("resuming on " + state + ": " + alreadyIn.size() + " generations are already in Kafka and are not sent again");
            }
            Env env = Env.system().with(demoEnv(state)).with(extraEnv);
            ServiceContext context = ServiceContext.of(settings, env);
            if (simAnnotators > 0) {
                context.attributes().put(GoldOracle.ATTRIBUTE, oracle);
            }
            runner.start(ServiceRunner.select(java.util.Set.of()), context);
            List<RlaifService> services = runner.services();
            log("  kafka bootstrap: " + kafka.bootstrapServers());
            log("  schema registry: " + registryUrl);
            services.forEach(svc -> svc.endpoints().forEach((k, v) -> log("  " + svc.name() + " " + k + ": " + v)));
            String gatewayUrl = services.stream().filter(svc -> svc.name().equals("gateway")).findFirst()
                    .map(svc -> svc.endpoints().get("http")).orElseThrow(() -> new IllegalStateException("no gateway service"));

            log("replaying " + (limit == null ? "all" : limit) + " comparisons from " + dataset.getFileName() + " through " + gatewayUrl);
            long sent = IngestCommand.send(dataset, fmt, limit, 100, rate, "demo-policy", new HttpSink(gatewayUrl, null), true,
                    g -> !alreadyIn.contains(g.getGenerationId()));
            log("sent " + sent + " generations; waiting for the pipeline to drain");

            List<String> groups = services.stream().flatMap(svc -> svc.consumerGroups().stream()).toList();
            boolean drained;
            Map<String, Object> summary;
            try (PipelineProbe probe = new PipelineProbe(settings)) {
                drained = awaitDrain(probe, services, groups);
                summary = probe.summary();
            }
            boolean settling = services.stream().map(RlaifService::name).toList().containsAll(List.of("router", "merger"));
            printSummary(summary, drained, settling);
            if (stayUp) {
                log("the pipeline keeps running; Ctrl-C to stop");
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                stop.await();
            }
            return drained ? 0 : 1;
        } finally {
            if (temporary) {
                deleteTree(state);
            }
        }
    }

    private Map<String, String> demoEnv(Path state) throws IOException {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("RLAIF_STATE_DIR", state.toString());
        e.put("RLAIF_MODELS_DIR", state.resolve("models").toString());
        e.put("RLAIF_GATEWAY_PORT", "0");
        e.put("RLAIF_SCORER_PORT", "0");
        e.put("RLAIF_LABELING_PORT", String.valueOf(isFree(uiPort) ? uiPort : 0));
        e.put("RLAIF_SIM_ANNOTATORS", String.valueOf(simAnnotators));
        // A login for a person to label alongside the simulated annotators (the page's URL is printed at start).
        e.put("RLAIF_LABELING_ANNOTATORS", System.getenv().getOrDefault("RLAIF_LABELING_ANNOTATORS", "demo:demo-token"));
        e.put("RLAIF_LABELING_ADMINS", System.getenv().getOrDefault("RLAIF_LABELING_ADMINS", "admin:admin-token"));
        e.put("RLAIF_JUDGE_LLM_URL", llmUrl);
        e.put("RLAIF_JUDGE_LLM_MODEL", llmModel);
        e.put("RLAIF_JUDGE_API_KEY_ENV", llmApiKeyEnv);
        return e;
    }

    private boolean awaitDrain(PipelineProbe probe, List<RlaifService> services, List<String> groups) throws Exception {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        Map<String, Long> last = Map.of();
        int stableRounds = 0;
        long lastPrint = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            Map<String, Long> lags = probe.lagByGroup(groups);
            long lag = lags.values().stream().mapToLong(Long::longValue).sum();
            boolean idle = PipelineProbe.allIdle(services);
            Map<String, Long> now = probe.offsets(List.of(Topics.PAIRS, Topics.JUDGMENTS, Topics.ESCALATIONS,
                    Topics.HUMAN_LABELS, Topics.PREFERENCES, Topics.MODEL_VERSIONS));
            stableRounds = lag == 0 && idle && now.equals(last) ? stableRounds + 1 : 0;
            last = now;
            if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                lastPrint = System.nanoTime();
                List<String> busy = services.stream().filter(svc -> !svc.idle()).map(RlaifService::name).toList();
                log("progress " + now + (lags.isEmpty() ? "" : " lag=" + lags) + (busy.isEmpty() ? "" : " busy=" + busy));
            }
            if (stableRounds >= 3) {
                return true;
            }
        }
        log("the pipeline did not drain within " + drainTimeout);
        return false;
    }

    private static void printSummary(Map<String, Object> summary, boolean drained, boolean settling) {
        System.out.println("rlaif demo summary (records per topic, read from the topics):");
        summary.forEach((k, v) -> System.out.printf("  %-20s %s%n", k, v));
        long pairs = ((Number) summary.get("pairs")).longValue();
        long settled = ((Number) summary.get("preferences")).longValue() + ((Number) summary.get("open_escalations")).longValue();
        if (settling) {
            System.out.println("  every pair ends as one preference or one open escalation: "
                    + (settled == pairs ? "yes" : "no (" + settled + " of " + pairs + ")"));
        }
        Map<String, Object> out = new LinkedHashMap<>(summary);
        out.put("drained", drained);
        System.out.println(Json.write(Map.of("summary", out)));
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void log(String message) {
        System.err.println("rlaif demo: " + message);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = new ArrayList<>(files.toList());
            all.sort(Comparator.reverseOrder());
            all.forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("rlaif demo: could not delete " + root + ": " + e.getMessage());
        }
    }
}
