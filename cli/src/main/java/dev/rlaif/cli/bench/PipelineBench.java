package dev.rlaif.cli.bench;

import dev.rlaif.cli.run.ServiceRunner;
import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.LocalBroker;
import dev.rlaif.common.kafka.StreamsApps;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.JudgeType;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PolicyGeneration;
import dev.rlaif.schema.Verdict;
import dev.rlaif.schema.VoteCounts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code ./rlaif bench pipeline}: the Kafka-native path at full speed, exactly-once on. Generations go through the
 * real pairing, router and merger services; the judge stage is answered at once by the benchmark (a consumer of
 * {@code pairs} that writes one confident {@code Judgment} per pair, keyed by pair id as the judge does: the judge's
 * own rate is bound by the LLM or the encoder and is {@code bench judge}'s to measure).
 *
 * <p>The floor, in the same run on the same broker, is the same chain of hops without our code around it
 * ({@link #chainFloor}): {@code generations} through three exactly-once Kafka Streams pass-through apps (standing
 * for pairing, router and merger) and, between the first two, a consume-produce hop written like the
 * {@link InstantJudge} (standing for the judge), each bytes in, bytes out, over topics with the same partition
 * counts. Every generation crosses every hop, where the pipeline halves the count at pairing: that makes the floor
 * conservative (it moves at least as many records per hop as the pipeline). The old floor, one Streams pass-through
 * from {@code generations} to one topic, is still measured and printed ({@code single_hop_*} in the JSON).
 *
 * <p>Each phase sends its own generations (new prompt ids, built as they are sent, so the heap holds none of them)
 * and starts its apps at the end of {@code generations}, so no phase reads an earlier phase's records. Every phase is
 * timed from the first generation sent to the last output record read (read_committed) by the same counting
 * consumer, and its process CPU is measured over the same interval. All phases run once untimed first
 * ({@code --warmup}), so the timed ones run compiled code.
 *
 * <p>After each timed phase the bench reads back what the broker appended meanwhile ({@link LogTraffic}): records and
 * bytes per topic, internal ones included. That splits the ratio into what the design writes per generation
 * ({@code records_ratio}) and what each record costs ({@code *_cpu_us_per_record}).
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Benchmark generations -> pairing -> (instant judge) -> router -> merger against a pass-through chain over the same hops.")
public final class PipelineBench implements Callable<Integer> {

    @Option(names = "--generations", defaultValue = "200000", description = "generations per phase, 2 per prompt (default ${DEFAULT-VALUE}: several seconds per phase on 2 cores)")
    int generations;

    @Option(names = "--warmup", defaultValue = "40000",
            description = "generations sent through each phase once, untimed, before the timed phases, so both the floors and the "
                    + "pipeline are measured with compiled code, as a long-running pipeline runs (default ${DEFAULT-VALUE}; 0 = none)")
    int warmup;

    @Option(names = "--judge-comparisons", defaultValue = "200",
            description = "HH-RLHF comparisons for the second line, with the real reward-model judge in the path (default ${DEFAULT-VALUE}; 0 = skip)")
    int judgeComparisons;

    @Option(names = "--timeout", defaultValue = "PT5M", description = "longest wait per phase (default ${DEFAULT-VALUE})")
    Duration timeout;

    /** The second line: generations to judgments with the real reward-model judge (MiniLM features) in the path. */
    public record JudgeLine(long generations, long pairs, double seconds, double meanJudgeMs) {
        public double gensPerS() {
            return generations / seconds;
        }

        public String json() {
            return String.format(Locale.ROOT, "{\"bench\": \"pipeline_with_judge\", \"gens_per_s\": %.1f, \"pairs_per_s\": %.1f, "
                            + "\"judge_ms_per_pair\": %.1f, \"judge_bound_pairs_per_s\": %.1f, \"generations\": %d, \"pairs\": %d}",
                    gensPerS(), pairs / seconds, meanJudgeMs, 1000.0 / meanJudgeMs, generations, pairs);
        }
    }

    private JudgeLine judgeLine;

    /**
     * What one timed phase measured: wall-clock seconds and the whole process's CPU seconds over the same interval,
     * and what the broker appended meanwhile (read back after the timed interval; null where nothing uses it: the
     * warm-up and the single hop).
     */
    public record Phase(double seconds, double cpuSeconds, LogTraffic.Growth log) {
    }

    /**
     * What a run measured. {@code passthrough*} is the floor the ratio is taken against: the pass-through chain over
     * the pipeline's hops; {@code singleHop*} the one-app pass-through, printed so nothing is hidden.
     */
    public record Result(long generations, double pipelineGensPerS, double passthroughGensPerS, double peakHeapMb,
                         long preferences, double pipelineSeconds, double passthroughSeconds,
                         double pipelineCpuSeconds, double passthroughCpuSeconds,
                         double singleHopGensPerS, double singleHopSeconds, double singleHopCpuSeconds,
                         LogTraffic.Growth pipelineLog, LogTraffic.Growth passthroughLog) {
        /** Pipeline rate over the chain floor's. */
        public double ratio() {
            return pipelineGensPerS / passthroughGensPerS;
        }

        /** Pipeline rate over the single-app pass-through's. */
        public double singleHopRatio() {
            return pipelineGensPerS / singleHopGensPerS;
        }

        /** CPU time of this process (broker, services, bench clients: every thread) per 1,000 generations. */
        public double pipelineCpuMsPer1k() {
            return pipelineCpuSeconds * 1e6 / generations;
        }

        public double passthroughCpuMsPer1k() {
            return passthroughCpuSeconds * 1e6 / generations;
        }

        public double singleHopCpuMsPer1k() {
            return singleHopCpuSeconds * 1e6 / generations;
        }

        /**
         * The chain floor's CPU per generation over the pipeline's: what the ratio of rates becomes when both are
         * bound by CPU. Unlike wall-clock rates it hardly moves with what else runs on the machine.
         */
        public double cpuRatio() {
            return passthroughCpuSeconds / pipelineCpuSeconds;
        }

        /** Data records the broker appended per generation in the pipeline phase (every topic, internal included). */
        public double pipelineRecordsPerGen() {
            return (double) pipelineLog.records() / generations;
        }

        public double passthroughRecordsPerGen() {
            return (double) passthroughLog.records() / generations;
        }

        /**
         * The chain floor's records per generation over the pipeline's: the CPU ratio the pipeline would reach if each
         * of its records cost what a pass-through record costs. What the design writes bounds the ratio to this.
         */
        public double recordsRatio() {
            return passthroughRecordsPerGen() / pipelineRecordsPerGen();
        }

        /** Process CPU per record appended: the pipeline's per-record cost, our code included. */
        public double pipelineCpuUsPerRecord() {
            return pipelineCpuSeconds * 1e6 / pipelineLog.records();
        }

        public double passthroughCpuUsPerRecord() {
            return passthroughCpuSeconds * 1e6 / passthroughLog.records();
        }

        public String json() {
            return String.format(Locale.ROOT, "{\"bench\": \"pipeline\", \"pipeline_gens_per_s\": %.1f, \"passthrough_gens_per_s\": %.1f, "
                            + "\"ratio\": %.3f, \"peak_heap_mb\": %.0f, \"generations\": %d, \"preferences\": %d, "
                            + "\"pipeline_cpu_ms_per_1k_gens\": %.1f, \"passthrough_cpu_ms_per_1k_gens\": %.1f, \"cpu_ratio\": %.3f, "
                            + "\"single_hop_passthrough_gens_per_s\": %.1f, \"single_hop_ratio\": %.3f, "
                            + "\"single_hop_cpu_ms_per_1k_gens\": %.1f, "
                            + "\"pipeline_records_per_gen\": %.2f, \"passthrough_records_per_gen\": %.2f, \"records_ratio\": %.3f, "
                            + "\"pipeline_markers_per_gen\": %.3f, \"passthrough_markers_per_gen\": %.3f, "
                            + "\"pipeline_cpu_us_per_record\": %.2f, \"passthrough_cpu_us_per_record\": %.2f, "
                            + "\"pipeline_bytes_per_gen\": %.0f, \"passthrough_bytes_per_gen\": %.0f}",
                    pipelineGensPerS, passthroughGensPerS, ratio(), peakHeapMb, generations, preferences,
                    pipelineCpuMsPer1k(), passthroughCpuMsPer1k(), cpuRatio(),
                    singleHopGensPerS, singleHopRatio(), singleHopCpuMsPer1k(),
                    pipelineRecordsPerGen(), passthroughRecordsPerGen(), recordsRatio(),
                    (double) pipelineLog.markers() / generations, (double) passthroughLog.markers() / generations,
                    pipelineCpuUsPerRecord(), passthroughCpuUsPerRecord(),
                    (double) pipelineLog.bytes() / generations, (double) passthroughLog.bytes() / generations);
        }
    }

    @Override
    public Integer call() throws Exception {
        System.out.printf("pipeline bench: %d generations (%d prompts x 2) per phase, %d cores, max heap %d MB%n",
                generations, generations / 2, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        Result r = run();
        System.out.printf(Locale.ROOT, "floor: pass-through chain over the same hops (3 Streams apps + 1 consume-produce hop) "
                + "%.0f generations/s (%.2f s)%n", r.passthroughGensPerS(), r.passthroughSeconds());
        System.out.printf(Locale.ROOT, "single-hop floor: one Streams pass-through %.0f generations/s (%.2f s), ratio against it %.2f%n",
                r.singleHopGensPerS(), r.singleHopSeconds(), r.singleHopRatio());
        System.out.printf(Locale.ROOT, "pipeline: pairing -> instant judge -> router -> merger %.0f generations/s (%.2f s, %d preferences), "
                + "ratio %.2f, peak heap %.0f MB%n", r.pipelineGensPerS(), r.pipelineSeconds(), r.preferences(), r.ratio(), r.peakHeapMb());
        System.out.printf(Locale.ROOT, "process CPU per 1,000 generations: pipeline %.0f ms, chain floor %.0f ms, single hop %.0f ms, "
                + "cpu ratio %.2f%n", r.pipelineCpuMsPer1k(), r.passthroughCpuMsPer1k(), r.singleHopCpuMsPer1k(), r.cpuRatio());
        System.out.printf(Locale.ROOT, "records the broker appended per generation (every topic, internal included, read back): "
                        + "pipeline %.2f, chain floor %.2f, records ratio %.2f; process CPU per record: pipeline %.1f us, chain floor %.1f us%n",
                r.pipelineRecordsPerGen(), r.passthroughRecordsPerGen(), r.recordsRatio(), r.pipelineCpuUsPerRecord(),
                r.passthroughCpuUsPerRecord());
        if (r.pipelineLog().purged() + r.passthroughLog().purged() > 0) {
            System.out.printf("(purged before they were read back, counted by offset, bytes unknown: pipeline %d, chain floor %d records)%n",
                    r.pipelineLog().purged(), r.passthroughLog().purged());
        }
        System.out.println("per pair, the pipeline phase's records by topic:");
        System.out.println(r.pipelineLog().perUnit(r.generations() / 2.0, "pair"));
        System.out.println("per pair (two generations), the chain floor's records by topic:");
        System.out.println(r.passthroughLog().perUnit(r.generations() / 2.0, "pair"));
        if (judgeLine != null) {
            System.out.printf(Locale.ROOT, "with the real reward-model judge in the path: %.1f generations/s (%d pairs in %.1f s); "
                            + "bound by the judge's scoring, %.0f ms per pair on one worker thread (MiniLM on both responses and the prompt) "
                            + "= at most %.1f pairs/s%n", judgeLine.gensPerS(), judgeLine.pairs(), judgeLine.seconds(),
                    judgeLine.meanJudgeMs(), 1000.0 / judgeLine.meanJudgeMs());
            System.out.println(judgeLine.json());
        }
        System.out.println(r.json());
        return 0;
    }

    public Result run() throws Exception {
        Path work = Files.createTempDirectory("rlaif-pipeline-bench");
        try (LocalBroker kafka = LocalBroker.startTemporary()) {
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), null, 3, (short) 1, work);
            TopicAdmin.createAll(settings);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
                List<NewTopic> floorTopics = new ArrayList<>();
                for (String t : List.of(PASSTHROUGH, CHAIN_PAIRS, CHAIN_JUDGMENTS, CHAIN_LABELS, CHAIN_PREFERENCES)) {
                    floorTopics.add(new NewTopic(t, settings.partitions(), settings.replicationFactor()));
                }
                admin.createTopics(floorTopics).all().get(30, TimeUnit.SECONDS);
                TopicAdmin.awaitServed(admin, floorTopics.stream().map(NewTopic::name).toList());
            }
            if (warmup > 0) {
                // the same phases, untimed: the JIT compiles Kafka's and our code before anything is measured
                singleHop(settings, "w0-", warmup);
                chainFloor(settings, "w1-", warmup, false);
                pipeline(settings, "w2-", warmup, false, new long[1], new double[1]);
                System.out.printf("warmed up: %d generations through each phase, untimed%n", warmup);
            }
            Phase single = singleHop(settings, "p0-", generations);
            Phase chain = chainFloor(settings, "p1-", generations, true);
            long[] prefs = new long[1];
            double[] peak = new double[1];
            Phase pipe = pipeline(settings, "p2-", generations, true, prefs, peak);
            System.out.printf(Locale.ROOT, "measured: single hop %.2f s, chain %.2f s, pipeline %.2f s for %d generations each%n",
                    single.seconds(), chain.seconds(), pipe.seconds(), generations);
            if (judgeComparisons > 0) {
                judgeLine = withJudge(settings, judgeComparisons);
            }
            return new Result(generations, generations / pipe.seconds(), generations / chain.seconds(), peak[0], prefs[0],
                    pipe.seconds(), chain.seconds(), pipe.cpuSeconds(), chain.cpuSeconds(),
                    generations / single.seconds(), single.seconds(), single.cpuSeconds(), pipe.log(), chain.log());
        } finally {
            TempDirs.deleteTree(work);
        }
    }

    static final String PASSTHROUGH = "bench-passthrough";
    static final String CHAIN_PAIRS = "bench-chain-pairs";
    static final String CHAIN_JUDGMENTS = "bench-chain-judgments";
    static final String CHAIN_LABELS = "bench-chain-ai-labels";
    static final String CHAIN_PREFERENCES = "bench-chain-preferences";

    /** The old floor: one exactly-once Streams app, {@code generations} to one topic, bytes in, bytes out. */
    private Phase singleHop(KafkaSettings settings, String prefix, int count) throws Exception {
        String app = "rlaif-bench-passthrough";
        startAtEnd(settings, app, Topics.GENERATIONS.name());
        KafkaStreams streams = StreamsApps.start(passThrough(Topics.GENERATIONS.name(), PASSTHROUGH, "bench"),
                StreamsApps.properties(settings, app), Duration.ofSeconds(60));
        try {
            return timed(settings, prefix, count, PASSTHROUGH, count, false);
        } finally {
            StreamsApps.stop(streams);
        }
    }

    /**
     * The floor: the pipeline's hops without our code around them. It mirrors the pipeline's structure hop for hop,
     * over topics with the same partition counts:
     * <ol>
     * <li>pairing (a Streams app, exactly-once): {@code generations -> bench-chain-pairs};</li>
     * <li>the instant judge (a plain consumer and idempotent producer, flush and commit per poll, as
     * {@link InstantJudge}): {@code bench-chain-pairs -> bench-chain-judgments};</li>
     * <li>the router (a Streams app, exactly-once): {@code bench-chain-judgments -> bench-chain-ai-labels};</li>
     * <li>the merger (a Streams app, exactly-once): {@code bench-chain-ai-labels -> bench-chain-preferences}.</li>
     * </ol>
     * Each hop copies key and value bytes unchanged: no Avro, no state stores, no changelogs. Every generation
     * crosses every hop, so per pair the floor moves 2 records through each hop where the pipeline moves 2 into
     * pairing and 1 out of it, 1 through the judge and the router, and 2 (judgment, AI label) into the merger and 1
     * out: the floor never does less record traffic than the pipeline, which makes it a conservative floor.
     */
    private Phase chainFloor(KafkaSettings settings, String prefix, int count, boolean readBack) throws Exception {
        List<KafkaStreams> apps = new ArrayList<>();
        try (PassThroughJudge judge = new PassThroughJudge(settings, CHAIN_PAIRS, CHAIN_JUDGMENTS)) {
            startAtEnd(settings, "rlaif-bench-chain-pairing", Topics.GENERATIONS.name());
            apps.add(StreamsApps.start(passThrough(Topics.GENERATIONS.name(), CHAIN_PAIRS, "chain-pairing"),
                    StreamsApps.properties(settings, "rlaif-bench-chain-pairing"), Duration.ofSeconds(60)));
            judge.start();
            apps.add(StreamsApps.start(passThrough(CHAIN_JUDGMENTS, CHAIN_LABELS, "chain-router"),
                    StreamsApps.properties(settings, "rlaif-bench-chain-router"), Duration.ofSeconds(60)));
            apps.add(StreamsApps.start(passThrough(CHAIN_LABELS, CHAIN_PREFERENCES, "chain-merger"),
                    StreamsApps.properties(settings, "rlaif-bench-chain-merger"), Duration.ofSeconds(60)));
            return timed(settings, prefix, count, CHAIN_PREFERENCES, count, readBack);
        } finally {
            apps.forEach(StreamsApps::stop);
        }
    }

    private static org.apache.kafka.streams.Topology passThrough(String from, String to, String name) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(from, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"))
                .to(to, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-sink"));
        return b.build();
    }

    /**
     * Commits {@code group}'s offsets at the end of {@code topic}, so an app started next reads only what is sent
     * after: each phase's own generations, not an earlier phase's.
     */
    private static void startAtEnd(KafkaSettings settings, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < settings.partitions(); p++) {
                ends.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> at = new HashMap<>();
            admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, r) -> at.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset())));
            admin.alterConsumerGroupOffsets(group, at).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Phase pipeline(KafkaSettings settings, String prefix, int count, boolean readBack, long[] prefs, double[] peak)
            throws Exception {
        Map<String, String> vars = new HashMap<>();
        vars.put("RLAIF_STATE_DIR", settings.stateDir().toString());
        vars.put("RLAIF_ROUTER_CONFIDENCE_THRESHOLD", "0.8");
        ServiceContext context = ServiceContext.of(settings, new Env(vars));
        AtomicLong heap = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                Runtime rt = Runtime.getRuntime();
                heap.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap");
        // the floors' generations are in the topic too: pairing starts at its end (its group is its application id)
        startAtEnd(settings, dev.rlaif.pairing.PairingConfig.fromEnv(new Env(vars)).applicationId(), Topics.GENERATIONS.name());
        try (ServiceRunner runner = new ServiceRunner(); InstantJudge judge = new InstantJudge(settings)) {
            runner.start(ServiceRunner.select(Set.of("pairing", "router", "merger")), context);
            judge.start();
            System.gc();
            heap.set(0);
            sampler.start();
            Phase phase = timed(settings, prefix, count, Topics.PREFERENCES.name(), count / 2, readBack);
            prefs[0] = lastOutput;
            return phase;
        } finally {
            sampling.set(false);
            sampler.interrupt();
            peak[0] = heap.get() / (1024.0 * 1024.0);
        }
    }

    /**
     * Real comparisons through pairing and the real judge (reward-model backend, the demo's bootstrap model, cached
     * like the demo's), timed from the first generation sent to the last judgment read.
     */
    private JudgeLine withJudge(KafkaSettings settings, int comparisons) throws Exception {
        java.nio.file.Path data = dev.rlaif.common.dataset.SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz");
        List<dev.rlaif.common.dataset.PreferenceExample> examples;
        try (Stream<dev.rlaif.common.dataset.PreferenceExample> s = dev.rlaif.common.dataset.Datasets.readPairs(data,
                dev.rlaif.common.dataset.DatasetFormat.detect(data))) {
            examples = s.toList();
        }
        int slice = 300;
        int first = examples.size() - slice;
        Path models = settings.stateDir().resolve("models");
        try (dev.rlaif.rm.ModelStore store = dev.rlaif.rm.ModelStore.open(models)) {
            List<dev.rlaif.rm.data.LabeledPair> pairs = examples.subList(first, examples.size()).stream()
                    .map(dev.rlaif.rm.data.LabeledPair::of).flatMap(java.util.Optional::stream).toList();
            dev.rlaif.cli.demo.BootstrapModel.install(store, pairs,
                    data.toAbsolutePath().normalize() + "#" + first + "+" + slice + "@" + Files.size(data),
                    Path.of(".rlaif").resolve("bootstrap-cache"));
        }
        List<PolicyGeneration> gens = new ArrayList<>();
        Instant now = Instant.now();
        for (var ex : examples.subList(0, Math.min(comparisons, first))) {
            gens.addAll(dev.rlaif.common.dataset.Datasets.toGenerations(ex, "bench-policy", now, Map.of()));
        }
        // the judge's group starts at the end of pairs: the earlier phases' pairs were answered by the instant judge
        Map<String, String> vars = new HashMap<>();
        vars.put("RLAIF_STATE_DIR", settings.stateDir().toString());
        vars.put("RLAIF_MODELS_DIR", models.toString());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < settings.partitions(); p++) {
                ends.put(new TopicPartition(Topics.PAIRS.name(), p), org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> at = new HashMap<>();
            admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> at.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset())));
            admin.alterConsumerGroupOffsets("rlaif-judge", at).all().get(30, TimeUnit.SECONDS);
        }
        ServiceContext context = ServiceContext.of(settings, new Env(vars));
        try (ServiceRunner runner = new ServiceRunner(); Counter pairs = new Counter(settings, Topics.PAIRS.name());
             Counter judgments = new Counter(settings, Topics.JUDGMENTS.name())) {
            runner.start(ServiceRunner.select(Set.of("pairing", "judge")), context);
            pairs.drain();
            judgments.drain();
            long pairsBefore = pairs.count();
            long judgedBefore = judgments.count();
            long t0 = System.nanoTime();
            try (KafkaProducer<String, PolicyGeneration> p = Clients.avroProducer(settings, "bench-judge-generations")) {
                for (PolicyGeneration g : gens) {
                    p.send(new ProducerRecord<>(Topics.GENERATIONS.name(), g.getPromptId(), g));
                }
                p.flush();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            long stableSince = System.nanoTime();
            long lastPairs = -1;
            long lastJudged = 0;
            long lastJudgmentAt = t0;
            while (true) {
                pairs.poll();
                judgments.poll();
                if (judgments.count() != lastJudged) {
                    lastJudged = judgments.count();
                    lastJudgmentAt = System.nanoTime();
                }
                long newPairs = pairs.count() - pairsBefore;
                if (newPairs != lastPairs) {
                    lastPairs = newPairs;
                    stableSince = System.nanoTime();
                }
                // every pair formed (no new one for 3 s) has its judgment
                if (newPairs > 0 && judgments.count() - judgedBefore >= newPairs && System.nanoTime() - stableSince > 3e9) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("with the judge: " + (judgments.count() - judgedBefore) + " of " + newPairs
                            + " pairs judged after " + timeout);
                }
            }
            double seconds = (lastJudgmentAt - t0) / 1e9;   // to the last judgment read, not to the end of the quiet wait
            var timer = context.metrics().find("rlaif_judge_latency").timer();
            double meanMs = timer == null ? Double.NaN : timer.mean(TimeUnit.MILLISECONDS);
            return new JudgeLine(gens.size(), lastPairs, Math.max(seconds, 1e-3), meanMs);
        }
    }

    /**
     * Sends {@code count} new generations (prompt ids starting with {@code prefix}, built as they are sent) and
     * waits until {@code outputTopic} holds {@code expected} more committed records. With {@code readBack}, then reads
     * back what the broker appended meanwhile ({@link LogTraffic}), outside the timed interval.
     */
    private Phase timed(KafkaSettings settings, String prefix, int count, String outputTopic, long expected, boolean readBack)
            throws Exception {
        try (Counter counter = new Counter(settings, outputTopic)) {
            counter.drain();
            long before = counter.count();
            LogTraffic.Snapshot log0 = readBack ? LogTraffic.snapshot(settings) : null;
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            Instant now = Instant.now();
            try (KafkaProducer<String, PolicyGeneration> p = Clients.avroProducer(settings, "bench-generations")) {
                for (int i = 0; i < count; i++) {
                    PolicyGeneration g = generation(prefix, i, now);
                    p.send(new ProducerRecord<>(Topics.GENERATIONS.name(), g.getPromptId(), g));
                }
                p.flush();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (counter.count() - before < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(outputTopic + " holds " + (counter.count() - before) + " of " + expected
                            + " new records after " + timeout + " (started from " + before + ")");
                }
                counter.poll();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = (processCpuNanos() - cpu0) / 1e9;
            lastOutput = counter.count() - before;
            LogTraffic.Growth log = readBack ? LogTraffic.between(settings, log0, LogTraffic.snapshot(settings), timeout) : null;
            return new Phase(seconds, cpu, log);
        }
    }

    /** Output records the last timed phase added (read back, not assumed). */
    private long lastOutput;

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private void waitFor(KafkaSettings settings, String topic, long expected, Duration within) throws Exception {
        try (Counter counter = new Counter(settings, topic)) {
            long deadline = System.nanoTime() + within.toNanos();
            while (counter.count() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(topic + " holds " + counter.count() + " of " + expected + " records after " + within);
                }
                counter.poll();
            }
        }
    }

    /** Counts the committed records of a topic from its start. */
    private static final class Counter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private long count;

        Counter(KafkaSettings settings, String topic) {
            Map<String, Object> c = new HashMap<>(Clients.consumerConfig(settings, "unused"));
            c.remove(ConsumerConfig.GROUP_ID_CONFIG);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            poll();
        }

        void poll() {
            count += consumer.poll(Duration.ofMillis(100)).count();
        }

        /** Reads up to the current end. */
        void drain() {
            long deadline = System.nanoTime() + 10_000_000_000L;
            int empty = 0;
            while (empty < 3 && System.nanoTime() < deadline) {
                int n = consumer.poll(Duration.ofMillis(200)).count();
                count += n;
                empty = n == 0 ? empty + 1 : 0;
            }
        }

        long count() {
            return count;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /**
     * The judge stage answered at once: every pair gets a confident, position-consistent verdict (A), keyed by pair
     * id, so the router sends it on as an AI label (and a hashed 5% also to humans as audits).
     */
    static final class InstantJudge extends ConsumeProduceHop<String, Judgment> {
        private final Deserializer<ComparisonPair> pairs;

        InstantJudge(KafkaSettings settings) {
            super(settings, "bench-instant-judge", Topics.PAIRS.name(), new StringDeserializer(),
                    Clients.avroProducer(settings, "bench-instant-judge"));
            pairs = AvroSerdes.from(settings).deserializer();
        }

        @Override
        void forward(ConsumerRecord<String, byte[]> r) {
            ComparisonPair pair = pairs.deserialize(r.topic(), r.headers(), r.value());
            Judgment j = Judgment.newBuilder().setPairId(pair.getPairId()).setPair(pair)
                    .setJudgeType(JudgeType.REWARD_MODEL).setJudgeModel("bench-instant").setVerdict(Verdict.A)
                    .setPA(0.98).setConfidence(0.96).setPositionConsistent(true).setVotes(new VoteCounts(5, 0, 0, 0))
                    .setCreatedAt(Instant.now()).build();
            producer.send(new ProducerRecord<>(Topics.JUDGMENTS.name(), pair.getPairId(), j));
        }
    }

    /**
     * The floor's judge hop: the same loop as {@link InstantJudge} (the same consumer settings, one idempotent
     * producer, flush and commit per poll) but bytes in, bytes out: each record's key and value are sent on unchanged.
     */
    static final class PassThroughJudge extends ConsumeProduceHop<byte[], byte[]> {
        private final String to;

        PassThroughJudge(KafkaSettings settings, String from, String to) {
            super(settings, "bench-chain-judge", from, new ByteArrayDeserializer(), Clients.rawProducer(settings, "bench-chain-judge"));
            this.to = to;
        }

        @Override
        void forward(ConsumerRecord<byte[], byte[]> r) {
            producer.send(new ProducerRecord<>(to, r.key(), r.value()));
        }
    }

    /**
     * The loop both judge hops share: poll up to 2,000 records, hand each to {@link #forward}, then flush the
     * producer and commit the consumer's offsets, until closed.
     */
    abstract static class ConsumeProduceHop<K, V> implements AutoCloseable {
        private final KafkaConsumer<K, byte[]> consumer;
        final KafkaProducer<K, V> producer;
        private final String from;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread loop;

        ConsumeProduceHop(KafkaSettings settings, String name, String from, Deserializer<K> keys, KafkaProducer<K, V> producer) {
            Map<String, Object> c = new HashMap<>(Clients.consumerConfig(settings, name));
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
            this.consumer = new KafkaConsumer<>(c, keys, new ByteArrayDeserializer());
            this.producer = producer;
            this.from = from;
            this.loop = new Thread(this::run, name);
        }

        abstract void forward(ConsumerRecord<K, byte[]> record);

        void start() {
            consumer.subscribe(List.of(from));
            loop.start();
        }

        private void run() {
            try {
                while (running.get()) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<K, byte[]> r : records) {
                        forward(r);
                    }
                    if (!records.isEmpty()) {
                        producer.flush();
                        consumer.commitSync();
                    }
                }
            } catch (WakeupException e) {
                // closing
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            consumer.wakeup();
            loop.join(30_000);
            consumer.close();
            producer.close();
        }
    }

    /** Generation {@code i} of a phase: two per prompt, prompt ids starting with {@code prefix}. */
    static PolicyGeneration generation(String prefix, int i, Instant now) {
        int prompt = i / 2;
        String pid = prefix + "prompt-" + prompt;
        return PolicyGeneration.newBuilder().setGenerationId(pid + "-g" + (i % 2)).setPromptId(pid)
                .setPrompt(List.of(new ChatMessage("user", "How do I keep basil alive indoors? (" + prompt + ")")))
                .setResponse((i % 2 == 0 ? "Sunny window, water when the topsoil is dry. " : "Warmth, light, no soggy soil. ") + prompt)
                .setPolicyModel("bench-policy").setPolicyVersion("1").setCreatedAt(now).build();
    }
}
