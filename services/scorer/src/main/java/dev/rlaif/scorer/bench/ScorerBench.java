package dev.rlaif.scorer.bench;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.train.EnsembleTrainer;
import dev.rlaif.rm.train.ModelTraining;
import dev.rlaif.rm.train.PairFeatures;
import dev.rlaif.rm.train.TrainConfig;
import dev.rlaif.scorer.ScorerConfig;
import dev.rlaif.scorer.ScorerService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./rlaif bench scorer}: {@code /v1/compare} throughput in batches over HTTP. Trains a small model on the
 * first {@code --train-pairs} HH-RLHF pairs, starts the scorer on it, then sends the other pairs in batches from
 * {@code --clients} threads twice: a cold pass (texts never embedded: the encoder runs) and a warm pass (every
 * text already in the embedding cache, as for re-scored or repeated traffic). Last line: JSON with
 * {@code pairs_per_s} (warm) and {@code cold_pairs_per_s}.
 */
@Command(name = "scorer", mixinStandardHelpOptions = true, description = "Scorer throughput: /v1/compare in batches.")
public final class ScorerBench implements Callable<Integer> {

    @Option(names = "--batch", defaultValue = "64", description = "Pairs per request (default ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--clients", defaultValue = "2", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--pairs", defaultValue = "1024", description = "Pairs per pass (default ${DEFAULT-VALUE}).")
    int pairsPerPass;
    @Option(names = "--train-pairs", defaultValue = "300")
    int trainPairs;
    @Option(names = "--encoder", defaultValue = "minilm")
    String encoder;

    /** Where figures go; null = System.out at the time of the call (so ./rlaif bench can capture them). */
    PrintStream stdout;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScorerBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = this.stdout != null ? this.stdout : System.out;
        List<LabeledPair> pairs = PairFiles.read(SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz"), null);
        if (pairs.size() < trainPairs + 10) {
            throw new IllegalArgumentException("not enough pairs");
        }
        Path state = Files.createTempDirectory("rlaif-bench-scorer");
        try {
            return run(stdout, pairs, state);
        } finally {
            TempDirs.deleteTree(state);
        }
    }

    private int run(PrintStream stdout, List<LabeledPair> pairs, Path state) throws Exception {
        Path models = state.resolve("models");
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", models.toString(), "RLAIF_SCORER_ENCODER", encoder,
                "RLAIF_SCORER_PORT", "0", "RLAIF_SCORER_HOST", "127.0.0.1", "RLAIF_SCORER_MAX_BATCH", Integer.toString(batch)));
        KafkaSettings kafka = KafkaSettings.fromEnv(env).withStateDir(state);
        ScorerConfig cfg = ScorerConfig.fromEnv(env, kafka);
        try (ModelStore store = ModelStore.open(models, encoderFactory(cfg))) {
            FeatureExtractor fx = new FeatureExtractor(store.encoder(), FeatureExtractor.defaultSpec(store.encoder()));
            List<PairFeatures> f = ModelTraining.featurize(fx, pairs.subList(0, trainPairs), k -> { });
            TrainConfig tc = TrainConfig.DEFAULT.withEpochs(4);
            var r = new EnsembleTrainer(tc).train(f, fx.spec(), null, EnsembleTrainer.Progress.NONE);
            String v = store.nextVersion();
            store.write(ModelTraining.manifest(v, null, fx, tc, Map.of(), Map.of(), f.size(), "bench", 0), r.weights());
            store.publish(v);
        }
        List<LabeledPair> rest = pairs.subList(trainPairs, pairs.size());
        List<String> bodies = bodies(rest, 0, pairsPerPass);
        // a JIT warm-up of the serving path on pairs the measured passes never send (when the file has them), so
        // the cold pass measures unseen texts, not the JVM compiling the HTTP and scoring code
        int spare = Math.max(0, Math.min(4 * batch, rest.size() - pairsPerPass));
        List<String> jitWarmup = bodies(rest, rest.size() - spare, spare);
        ScorerService scorer = new ScorerService(cfg, ServiceContext.of(kafka, env));
        scorer.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + scorer.port() + "/v1/compare");
            if (!jitWarmup.isEmpty()) {
                pass(http, uri, jitWarmup);
            }
            double[] coldPass = pass(http, uri, bodies);
            double[] warmPass = pass(http, uri, bodies);
            double[] warmPass2 = pass(http, uri, bodies);
            double cold = coldPass[0];
            double warm = warmPass[0];
            double warm2 = warmPass2[0];
            double[] alone = encoderAlone(rest);
            double texts = alone[0];
            stdout.printf("/v1/compare, %d pairs per request, %d clients: cold %.0f pairs/s, warm %.0f / %.0f pairs/s; "
                    + "the encoder alone: %.0f texts/s = %.0f pairs/s (3 texts a pair), %.0f texts per CPU-second%n",
                    batch, clients, cold, warm, warm2, texts, texts / 3, alone[1]);
            double floor = texts / 3;
            stdout.printf("floor: the encoder alone, same texts and callers, no cache: %.0f pairs/s; cold / floor %.2f%n", floor, cold / floor);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("bench", "scorer");
            json.put("encoder_pairs_per_s", Math.round(floor));
            json.put("cold_ratio", Math.round(cold / floor * 1000) / 1000.0);
            json.put("pairs_per_s", Math.round(Math.max(warm, warm2)));
            json.put("cold_pairs_per_s", Math.round(cold));
            // per CPU-second of this process (server and clients together): on a shared machine the wall-clock rates
            // measure the neighbours too; on an idle 2-core machine the wall-clock rate is at most twice these
            stdout.printf("per CPU-second of this process (scorer and clients): cold %.0f pairs, warm %.0f pairs, the encoder alone %.0f pairs%n",
                    coldPass[1], Math.max(warmPass[1], warmPass2[1]), alone[1] / 3);
            json.put("cold_pairs_per_cpu_s", Math.round(coldPass[1]));
            json.put("warm_pairs_per_cpu_s", Math.round(Math.max(warmPass[1], warmPass2[1])));
            json.put("encoder_texts_per_s", Math.round(texts));
            json.put("encoder_texts_per_cpu_s", Math.round(alone[1]));
            json.put("batch", batch);
            json.put("clients", clients);
            json.put("pairs", pairsPerPass);
            json.put("encoder", encoder);
            stdout.println(Json.write(json));
        } finally {
            scorer.close();
        }
        return 0;
    }

    /** Request bodies of {@code n} pairs from {@code from} on, {@code --batch} pairs each. */
    private List<String> bodies(List<LabeledPair> rest, int from, int n) {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i += batch) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + batch); j++) {
                LabeledPair p = rest.get((from + j) % rest.size());
                List<Map<String, String>> prompt = p.prompt().stream()
                        .map(m -> Map.of("role", m.getRole(), "content", m.getContent())).toList();
                items.add(Map.of("prompt", prompt, "response_a", p.chosen(), "response_b", p.rejected()));
            }
            bodies.add(Json.write(Map.of("items", items)));
        }
        return bodies;
    }

    private static java.util.function.Supplier<dev.rlaif.rm.encode.TextEncoder> encoderFactory(ScorerConfig cfg) {
        return () -> dev.rlaif.rm.encode.TextEncoders.open(cfg.encoder(), cfg.modelsDir().resolve("cache"));
    }

    /**
     * The cold pass's floor: the encoder alone (no cache, no HTTP, no features) on the same texts a cold pair needs
     * (last user turn and both responses), in the same batches of {@code --batch} pairs, from {@code --clients}
     * callers as the scorer gets them (the transformer encoders spread one call over all cores; the static ones run
     * on their caller's thread).
     */
    private double[] encoderAlone(List<LabeledPair> rest) throws InterruptedException {
        dev.rlaif.rm.encode.TextEncoder raw = dev.rlaif.rm.encode.TextEncoders.byName(encoder);
        raw.encode(List.of("warm up"));
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < pairsPerPass; i += batch) {
            List<String> texts = new ArrayList<>();
            for (int j = i; j < Math.min(pairsPerPass, i + batch); j++) {
                LabeledPair p = rest.get(j % rest.size());
                texts.add(FeatureExtractor.lastUserTurn(p.prompt()));
                texts.add(p.chosen());
                texts.add(p.rejected());
            }
            batches.add(texts);
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger n = new AtomicInteger();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < batches.size()) {
                    n.addAndGet(raw.encode(batches.get(i)).size());
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        // texts per CPU-second as well: on a shared machine the wall-clock rate measures the neighbours too
        return new double[] {n.get() / ((System.nanoTime() - t0) / 1e9), n.get() / ((os.getProcessCpuTime() - c0) / 1e9)};
    }

    /** Pairs per second over one pass of all bodies, shared among the clients, and pairs per CPU-second of the process. */
    private double[] pass(HttpClient http, URI uri, List<String> bodies) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger pairsDone = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.size()) {
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i))).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                        }
                        pairsDone.addAndGet(Json.read(r.body()).get("results").size());
                    } catch (Exception e) {
                        errors.add(e);
                        return;
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
        return new double[] {pairsDone.get() / ((System.nanoTime() - t0) / 1e9), pairsDone.get() / ((os.getProcessCpuTime() - c0) / 1e9)};
    }
}
