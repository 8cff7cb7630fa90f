package dev.rlaif.cli.demo;

import dev.rlaif.cli.dashboard.DashboardServer;
import dev.rlaif.cli.ingest.HttpSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.rlaif.cli.logging.DemoLogging;
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
import dev.rlaif.broker.HangingTransactionSweeper;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.sim.GoldOracle;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.schema.RewardModelVersion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import java.util.Optional;
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

    @Option(names = "--dashboard-port", defaultValue = "8090", description = "port of the live pipeline dashboard (default ${DEFAULT-VALUE}; a free one if taken)")
    int dashboardPort;

    @Option(names = "--drain-timeout", defaultValue = "PT20M", description = "longest wait for the pipeline to drain (ISO-8601, default ${DEFAULT-VALUE})")
    Duration drainTimeout;

    @Option(names = "--keep-running", description = "keep serving after the summary until Ctrl-C (default when no --limit)")
    Boolean keepRunning;

    @Option(names = "--state-dir", description = "keep state here (default: a temporary directory, deleted at exit); the same "
            + "command on the same directory after a crash resumes the run")
    Path stateDir;

    @Option(names = "--bootstrap", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "train a first reward model on a slice of the dataset the demo does not replay, so the judge "
                    + "is confident on some pairs from the start (default: on; --no-bootstrap starts cold: every pair goes to humans until the trainer publishes)")
    boolean bootstrap;

    @Option(names = "--bootstrap-pairs", defaultValue = "300",
            description = "comparisons at the end of the dataset the bootstrap model trains on; the replay stops before them (default ${DEFAULT-VALUE})")
    int bootstrapPairs;

    @Option(names = "--bootstrap-cache", description = "where trained bootstrap models are kept for the next run (default: <state dir or ./.rlaif>/bootstrap-cache)")
    Path bootstrapCache;

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
        Path logFile = state.resolve(LOG_FILE);
        DemoLogging.splitTo(logFile).ifPresent(f -> log("Kafka's and the other libraries' log lines go to " + f));

        List<PreferenceExample> examples;
        try (Stream<PreferenceExample> s = Datasets.readPairs(dataset, fmt)) {
            examples = s.toList();
        }
        // the bootstrap slice is the end of the file, the replay its start: disjoint by construction
        int slice = bootstrap ? Math.min(bootstrapPairs, examples.size() / 2) : 0;
        int replayable = examples.size() - slice;
        if (limit != null && limit > replayable) {
            log("--limit " + limit + " is more than the " + replayable + " comparisons before the bootstrap slice: replaying " + replayable);
        }
        long replay = limit == null ? replayable : Math.min(limit, replayable);
        DatasetOracle oracle = new DatasetOracle();
        examples.subList(0, (int) replay).forEach(oracle::remember);

        log("starting an embedded Kafka broker");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(state.resolve("kafka"), 0, false);
             DashboardServer dashboard = DashboardServer.start(registry, "127.0.0.1", isFree(dashboardPort) ? dashboardPort : 0);
             ServiceRunner runner = new ServiceRunner();
             HangingTransactionSweeper sweeper = HangingTransactionSweeper.start(kafka.bootstrapServers())) {
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
            log("pipeline dashboard: " + dashboard.url());
            Env env = Env.system().with(demoEnv(state)).with(Map.of("RLAIF_DASHBOARD_URL", dashboard.url())).with(extraEnv);
            if (slice > 0) {
                installBootstrap(settings, state, dataset, examples.subList(replayable, examples.size()), replayable, registry);
            }
            ServiceContext context = new ServiceContext(settings, env, registry, new java.util.concurrent.ConcurrentHashMap<>());
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

            log("replaying " + replay + " comparisons from " + dataset.getFileName() + " through " + gatewayUrl);
            String gatewayToken = firstToken(env, "RLAIF_GATEWAY_TOKENS");
            log("gateway token: " + (gatewayToken == null ? "none (authentication off)" : gatewayToken)
                    + "; scorer token: " + Optional.ofNullable(firstToken(env, "RLAIF_SCORER_TOKENS")).orElse("none (authentication off)"));
            long sent = IngestCommand.send(dataset, fmt, replay, 100, rate, "demo-policy", new HttpSink(gatewayUrl, gatewayToken), true,
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
            log("third-party log lines of this run: " + logFile);
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

    /** Trains (or loads) the bootstrap model on the slice, publishes it as v000001 and announces it on model-versions. */
    private void installBootstrap(KafkaSettings settings, Path state, Path dataset, List<PreferenceExample> sliceExamples,
                                  int first, MeterRegistry registry) throws Exception {
        List<LabeledPair> pairs = sliceExamples.stream().map(LabeledPair::of).flatMap(java.util.Optional::stream).toList();
        Path cacheRoot = bootstrapCache != null ? bootstrapCache
                : (stateDir != null ? stateDir : Path.of(".rlaif")).resolve("bootstrap-cache");
        String sliceId = dataset.toAbsolutePath().normalize() + "#" + first + "+" + sliceExamples.size()
                + "@" + Files.size(dataset);
        log("bootstrap reward model: " + pairs.size() + " labeled comparisons " + first + ".." + (first + sliceExamples.size() - 1)
                + " of " + dataset.getFileName() + " (never replayed)");
        BootstrapModel.Installed installed;
        try (ModelStore store = ModelStore.open(state.resolve("models"))) {
            if (!store.versions().isEmpty()) {
                // a restarted demo on its --state-dir: the bootstrap version (and perhaps later ones) exist already
                log("bootstrap reward model: the models directory already holds " + store.versions().size()
                        + " version(s) (a resumed run): not trained again");
                return;
            }
            installed = BootstrapModel.install(store, pairs, sliceId, cacheRoot);
        }
        try (KafkaProducer<String, RewardModelVersion> producer = Clients.avroProducer(settings, "rlaif-demo-bootstrap")) {
            producer.send(new ProducerRecord<>(Topics.MODEL_VERSIONS.name(), installed.event().getVersion(), installed.event()))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        Double acc = installed.event().getMetrics().get("accuracy");
        if (acc != null) {
            // the same series the trainer reports for its versions, so the dashboard plots v000001 too
            Gauge.builder("rlaif_trainer_version_accuracy", acc, Double::doubleValue).tag("version", installed.event().getVersion())
                    .tag("published", "true").strongReference(true).register(registry);
        }
        log(String.format("bootstrap reward model %s %s in %.1f s, held-out accuracy %s", installed.event().getVersion(),
                installed.cached() ? "loaded from " + cacheRoot : "trained", installed.seconds(),
                acc == null ? "n/a" : String.format("%.3f", acc)));
    }

    private Map<String, String> demoEnv(Path state) throws IOException {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("RLAIF_STATE_DIR", state.toString());
        e.put("RLAIF_MODELS_DIR", state.resolve("models").toString());
        e.put("RLAIF_GATEWAY_PORT", "0");
        // Doors closed by default: loopback only, and bearer tokens on the gateway and the scorer (the replay sends
        // the gateway's; both are printed at start). Set the variables to choose otherwise.
        for (String host : List.of("RLAIF_GATEWAY_HOST", "RLAIF_SCORER_HOST", "RLAIF_LABELING_HOST")) {
            e.put(host, System.getenv().getOrDefault(host, "127.0.0.1"));
        }
        e.put("RLAIF_GATEWAY_TOKENS", System.getenv().getOrDefault("RLAIF_GATEWAY_TOKENS", "gw-" + randomHex()));
        e.put("RLAIF_SCORER_TOKENS", System.getenv().getOrDefault("RLAIF_SCORER_TOKENS", "sc-" + randomHex()));
        e.put("RLAIF_SCORER_PORT", "0");
        e.put("RLAIF_LABELING_PORT", String.valueOf(isFree(uiPort) ? uiPort : 0));
        e.put("RLAIF_SIM_ANNOTATORS", String.valueOf(simAnnotators));
        // A login for a person to label alongside the simulated annotators (the page's URL is printed at start).
        e.put("RLAIF_LABELING_ANNOTATORS", System.getenv().getOrDefault("RLAIF_LABELING_ANNOTATORS", "demo:demo-token"));
        e.put("RLAIF_LABELING_ADMINS", System.getenv().getOrDefault("RLAIF_LABELING_ADMINS", "admin:admin-token"));
        if (bootstrap) {
            // the bootstrap model is young (held-out accuracy about 0.7): at the production default of 0.8 it would
            // be confident on almost nothing; 0.4 lets about a fifth of the pairs through as AI labels
            e.put("RLAIF_ROUTER_CONFIDENCE_THRESHOLD", System.getenv().getOrDefault("RLAIF_ROUTER_CONFIDENCE_THRESHOLD", "0.4"));
        }
        e.put("RLAIF_JUDGE_LLM_URL", llmUrl);
        e.put("RLAIF_JUDGE_LLM_MODEL", llmModel);
        e.put("RLAIF_JUDGE_API_KEY_ENV", llmApiKeyEnv);
        return e;
    }

    private static String randomHex() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    /** The first of a comma-separated token list, or null when none is set. */
    static String firstToken(Env env, String variable) {
        return env.get(variable).map(v -> v.split(",")[0].trim()).filter(t -> !t.isEmpty()).orElse(null);
    }

    private boolean awaitDrain(PipelineProbe probe, List<RlaifService> services, List<String> groups) throws Exception {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        Map<String, Long> last = Map.of();
        int stableRounds = 0;
        long lastPrint = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            Map<String, Long> lags;
            Map<String, Long> now;
            try {
                lags = probe.lagByGroup(groups);
                now = probe.offsets(List.of(Topics.PAIRS, Topics.JUDGMENTS, Topics.ESCALATIONS,
                        Topics.HUMAN_LABELS, Topics.PREFERENCES, Topics.MODEL_VERSIONS));
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // a starved machine can stall the broker for a while: look again, until the drain deadline
                log("the broker did not answer the progress probe in time (" + e + "); asking again");
                stableRounds = 0;
                continue;
            }
            long lag = lags.values().stream().mapToLong(Long::longValue).sum();
            boolean idle = PipelineProbe.allIdle(services);
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

    static final String LOG_FILE = "demo.log";

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
            // the log outlives the temporary state: its path was printed
            all.stream().filter(p -> !p.equals(root) && !p.equals(root.resolve(LOG_FILE))).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("rlaif demo: could not delete " + root + ": " + e.getMessage());
        }
    }
}
