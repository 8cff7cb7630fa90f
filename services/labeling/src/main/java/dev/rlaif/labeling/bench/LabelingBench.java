package dev.rlaif.labeling.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.LocalBroker;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.LabelingConfig;
import dev.rlaif.labeling.LabelingService;
import dev.rlaif.labeling.auth.Account;
import dev.rlaif.labeling.auth.Role;
import dev.rlaif.labeling.sim.AnnotatorClient;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.PairedResponse;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./rlaif bench labeling}: SIMULATION ONLY load. Starts an in-process broker and the real labeling service,
 * fills the queue through the {@code escalations} topic, then lets N concurrent simulated annotators pull and submit
 * over HTTP until the queue is empty. Prints labels per second and p50/p99 latency of next-task and submit (a submit
 * includes the acks=all write to {@code human-labels}); the last line is JSON.
 */
@Command(name = "labeling", mixinStandardHelpOptions = true,
        description = "Benchmark the labeling queue: concurrent simulated annotators against the running service.")
public final class LabelingBench implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--annotators", description = "concurrent simulated annotators (default ${DEFAULT-VALUE})")
    int annotators = 100;

    @Option(names = "--tasks", description = "escalations to label (default ${DEFAULT-VALUE})")
    int tasks = 3000;

    @Option(names = "--overlap", description = "labels wanted per task (default ${DEFAULT-VALUE})")
    int overlap = 2;

    @Option(names = "--think-ms", description = "mean pause of an annotator between receiving a task and submitting "
            + "it, uniform in [0, 2x] (default ${DEFAULT-VALUE}; 0 = saturation run, latency is then queueing)")
    int thinkMs = 200;

    @Option(names = "--warmup", description = "tasks labeled before measuring, to warm the JIT (default ${DEFAULT-VALUE})")
    int warmup = 300;

    /** What a run measured. */
    public record Result(int labels, double seconds, double labelsPerS, double nextP50Ms, double nextP99Ms,
                         double submitP50Ms, double submitP99Ms, long emptyNexts) {

        public String json() {
            return String.format(Locale.ROOT, "{\"labels_per_s\": %.1f, \"next_p99_ms\": %.2f, \"submit_p99_ms\": %.2f}",
                    labelsPerS, nextP99Ms, submitP99Ms);
        }
    }

    /** The HTTP run beside its floor: the same annotators doing the same work by direct calls, no HTTP. */
    public record WithFloor(Result http, Result floor) {
        public String json() {
            return String.format(Locale.ROOT, "{\"bench\": \"labeling\", \"labels_per_s\": %.1f, \"next_p99_ms\": %.2f, "
                            + "\"submit_p99_ms\": %.2f, \"floor_labels_per_s\": %.1f, \"floor_next_p99_ms\": %.2f, "
                            + "\"floor_submit_p99_ms\": %.2f, \"submit_ratio\": %.2f, \"next_ratio\": %.2f}",
                    http.labelsPerS(), http.nextP99Ms(), http.submitP99Ms(), floor.labelsPerS(), floor.nextP99Ms(),
                    floor.submitP99Ms(), http.submitP99Ms() / floor.submitP99Ms(), http.nextP99Ms() / floor.nextP99Ms());
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LabelingBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        out.printf("labeling bench: %d annotators (think time mean %d ms), %d tasks x %d labels (+%d warm-up tasks), %d cores%n",
                annotators, thinkMs, tasks, overlap, warmup, Runtime.getRuntime().availableProcessors());
        WithFloor both = runWithFloor();
        for (Result r : List.of(both.floor(), both.http())) {
            out.println(r == both.http() ? "over HTTP (the subject):" : "floor, the same work by direct calls (no HTTP):");
            out.printf(Locale.ROOT, "  labels: %d in %.2f s = %.1f labels/s (%d empty next-task answers)%n",
                    r.labels(), r.seconds(), r.labelsPerS(), r.emptyNexts());
            out.printf(Locale.ROOT, "  next-task latency: p50 %.2f ms, p99 %.2f ms%n", r.nextP50Ms(), r.nextP99Ms());
            out.printf(Locale.ROOT, "  submit latency:    p50 %.2f ms, p99 %.2f ms (store commit + acks=all write)%n",
                    r.submitP50Ms(), r.submitP99Ms());
        }
        out.printf(Locale.ROOT, "ratio HTTP / floor: submit p99 %.2f, next-task p99 %.2f%n",
                both.http().submitP99Ms() / both.floor().submitP99Ms(), both.http().nextP99Ms() / both.floor().nextP99Ms());
        out.println(both.json());
        return 0;
    }

    /** Runs the benchmark over HTTP and returns its figures. */
    public Result run() throws Exception {
        return runWithFloor().http();
    }

    /** Runs the floor (direct calls) and then the HTTP benchmark on the same service, and returns both. */
    public WithFloor runWithFloor() throws Exception {
        Path work = Files.createTempDirectory("rlaif-labeling-bench");
        try (LocalBroker kafka = LocalBroker.startTemporary()) {
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), null, 3, (short) 1, work);
            TopicAdmin.createAll(settings);
            List<Account> accounts = new ArrayList<>();
            for (int i = 0; i < annotators; i++) {
                accounts.add(new Account("bench-annotator-" + i, "bench-" + UUID.randomUUID(), Role.ANNOTATOR, true));
            }
            LabelingConfig config = new LabelingConfig("127.0.0.1", 0, null, work.resolve("labeling"), Duration.ofMinutes(5),
                    Map.of(), Math.max(5, overlap), accounts, "none", false, LabelingConfig.DEFAULT_GUIDELINE,
                    Duration.ofSeconds(60), 0, 0.0);
            try (LabelingService service = new LabelingService(ServiceContext.of(settings, new Env(Map.of())), config,
                    Clock.systemUTC())) {
                service.start();
                HttpClient http = AnnotatorClient.newHttpClient();
                List<AnnotatorClient> clients = accounts.stream()
                        .map(a -> new AnnotatorClient(http, service.baseUrl(), a.secret())).toList();
                if (warmup > 0) {
                    fill(settings, service, "warm", warmup);
                    drive(clients);
                }
                // the floor first, then the subject, on the same warm service and broker
                fill(settings, service, "floor", tasks);
                Result floor = driveDirect(service, accounts);
                fill(settings, service, "task", tasks);
                return new WithFloor(drive(clients), floor);
            }
        } finally {
            TempDirs.deleteTree(work);
        }
    }

    private void fill(KafkaSettings settings, LabelingService service, String prefix, int n) throws InterruptedException {
        int before = service.queue().openCount();
        try (KafkaProducer<String, EscalationRequest> p = Clients.avroProducer(settings, "bench-escalations")) {
            for (int i = 0; i < n; i++) {
                EscalationRequest r = request(prefix + "-" + i, i);
                p.send(new ProducerRecord<>(Topics.ESCALATIONS.name(), r.getPairId(), r));
            }
            p.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (service.queue().openCount() < before + n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the queue did not fill within 120 s");
            }
            Thread.sleep(50);
        }
    }

    private EscalationRequest request(String id, int i) {
        ComparisonPair pair = ComparisonPair.newBuilder()
                .setPairId("bench-pair-" + id).setPromptId("bench-prompt-" + id)
                .setPrompt(List.of(new ChatMessage("user", "Question " + i + ": how do I keep basil alive indoors?")))
                .setA(new PairedResponse("bench-a-" + id, "Give it a sunny window, water when the topsoil is dry, pinch the tips.", "bench", "1"))
                .setB(new PairedResponse("bench-b-" + id, "Basil likes light and warmth; avoid cold drafts and soggy soil.", "bench", "1"))
                .setCreatedAt(Instant.now()).build();
        return EscalationRequest.newBuilder().setEscalationId("bench-" + id).setPairId(pair.getPairId()).setPair(pair)
                .setReason(EscalationReason.LOW_CONFIDENCE).setPriority((i * 37 % 100) / 100.0).setLabelsWanted(overlap)
                .setCreatedAt(Instant.now()).build();
    }

    private Result drive(List<AnnotatorClient> clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<long[][]>> futures = new ArrayList<>();
        for (AnnotatorClient c : clients) {
            futures.add(pool.submit(() -> {
                go.await();
                long[] next = new long[64];
                long[] submit = new long[64];
                int n = 0;
                long empty = 0;
                while (true) {
                    long t0 = System.nanoTime();
                    var task = c.next();
                    long t1 = System.nanoTime();
                    if (task.isEmpty()) {
                        empty++;
                        break;
                    }
                    JsonNode t = task.get();
                    String choice = (t.get("escalation_id").asText().hashCode() & 1) == 0 ? "A" : "B";
                    if (thinkMs > 0) {
                        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(2L * thinkMs + 1));
                    }
                    long t2 = System.nanoTime();
                    AnnotatorClient.Reply r = c.submit(t.get("lease_id").asText(), UUID.randomUUID().toString(), choice, null, 1);
                    long t3 = System.nanoTime();
                    if (r.status() != 200) {
                        throw new IllegalStateException("submit answered " + r.status() + ": " + r.body());
                    }
                    if (n == next.length) {
                        next = Arrays.copyOf(next, n * 2);
                        submit = Arrays.copyOf(submit, n * 2);
                    }
                    next[n] = t1 - t0;
                    submit[n] = t3 - t2;
                    n++;
                }
                return new long[][]{Arrays.copyOf(next, n), Arrays.copyOf(submit, n), {empty}};
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        List<long[]> nexts = new ArrayList<>();
        List<long[]> submits = new ArrayList<>();
        long empty = 0;
        for (Future<long[][]> f : futures) {
            long[][] r = f.get();
            nexts.add(r[0]);
            submits.add(r[1]);
            empty += r[2][0];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long[] next = nexts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] submit = submits.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(submit.length, seconds, submit.length / seconds, pct(next, 0.50), pct(next, 0.99),
                pct(submit, 0.50), pct(submit, 0.99), empty);
    }

    /** The floor: each annotator thread takes and submits tasks by calling the queue and the publisher directly. */
    private Result driveDirect(LabelingService service, List<Account> accounts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(accounts.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<long[][]>> futures = new ArrayList<>();
        for (Account a : accounts) {
            futures.add(pool.submit(() -> {
                go.await();
                long[] next = new long[64];
                long[] submit = new long[64];
                int n = 0;
                while (true) {
                    long t0 = System.nanoTime();
                    var task = service.queue().next(a.id(), Instant.now());
                    long t1 = System.nanoTime();
                    if (task.isEmpty()) {
                        break;
                    }
                    String choice = (task.get().request().getEscalationId().hashCode() & 1) == 0 ? "A" : "B";
                    if (thinkMs > 0) {
                        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(2L * thinkMs + 1));
                    }
                    long t2 = System.nanoTime();
                    var r = service.queue().submit(a.id(), true, task.get().lease().leaseId(), UUID.randomUUID().toString(),
                            dev.rlaif.schema.Choice.valueOf(choice), null, 1, Instant.now());
                    if (r.label() == null) {
                        throw new IllegalStateException("direct submit answered " + r.status() + ": " + r.message());
                    }
                    service.publish(r.label());
                    long t3 = System.nanoTime();
                    if (n == next.length) {
                        next = Arrays.copyOf(next, n * 2);
                        submit = Arrays.copyOf(submit, n * 2);
                    }
                    next[n] = t1 - t0;
                    submit[n] = t3 - t2;
                    n++;
                }
                return new long[][]{Arrays.copyOf(next, n), Arrays.copyOf(submit, n)};
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        List<long[]> nexts = new ArrayList<>();
        List<long[]> submits = new ArrayList<>();
        for (Future<long[][]> f : futures) {
            long[][] r = f.get();
            nexts.add(r[0]);
            submits.add(r[1]);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long[] next = nexts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] submit = submits.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(submit.length, seconds, submit.length / seconds, pct(next, 0.50), pct(next, 0.99),
                pct(submit, 0.50), pct(submit, 0.99), 0);
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
