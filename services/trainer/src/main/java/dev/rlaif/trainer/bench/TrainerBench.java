package dev.rlaif.trainer.bench;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.dataset.SharedData;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.LocalBroker;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.data.PairFiles;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.RankedResponse;
import dev.rlaif.schema.RewardModelVersion;
import dev.rlaif.trainer.TrainerConfig;
import dev.rlaif.trainer.TrainerService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ./rlaif bench trainer}: label-to-model freshness. Starts an embedded broker and a trainer, sends HH-RLHF
 * pairs as preference labels at {@code --rate} per second (alternately human and AI labeled), and for each label
 * measures the time from its landing (the broker's append, as acknowledged) to the publication of the first
 * version whose data offsets cover it. Gold-holdout labels are never trained on, so they are not counted.
 * Last line: JSON with {@code freshness_p95_s}.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true, description = "Trainer freshness: labels at a fixed rate -> published versions.")
public final class TrainerBench implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "50", description = "Labels per second (default ${DEFAULT-VALUE}).")
    double rate;
    @Option(names = "--labels", defaultValue = "1500", description = "Labels to send (default ${DEFAULT-VALUE}).")
    int labels;
    @Option(names = "--encoder", defaultValue = "minilm")
    String encoder;
    @Option(names = "--data", description = "Pairs file (default: shared hh-rlhf-harmless/pairs.jsonl.gz).")
    Path data;
    @Option(names = "--set", description = "Trainer variable overrides, e.g. --set RLAIF_TRAINER_MAX_STEPS=100.")
    Map<String, String> overrides = new HashMap<>();

    /** Where figures go; null = System.out at the time of the call (so ./rlaif bench can capture them). */
    PrintStream stdout;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainerBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = this.stdout != null ? this.stdout : System.out;
        List<LabeledPair> pairs = PairFiles.read(data != null ? data : SharedData.resolve("hh-rlhf-harmless/pairs.jsonl.gz"), null);
        Path state = Files.createTempDirectory("rlaif-bench-trainer");
        try (LocalBroker kafka = LocalBroker.startTemporary()) {
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), null, 3, (short) 1, state);
            TopicAdmin.createAll(settings);
            Map<String, String> vars = new HashMap<>();
            vars.put("RLAIF_MODELS_DIR", state.resolve("models").toString());
            vars.put("RLAIF_TRAINER_ENCODER", encoder);
            vars.putAll(overrides);
            TrainerConfig cfg = TrainerConfig.fromEnv(new Env(vars), settings);
            stdout.println("trainer: " + cfg.describe());
            Map<String, Long> landed = new ConcurrentHashMap<>();   // "partition:offset" -> landing ms
            List<RewardModelVersion> versions = Collections.synchronizedList(new ArrayList<>());
            Map<String, Long> publishedAt = new ConcurrentHashMap<>();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (TrainerService trainer = new TrainerService(settings, cfg, registry);
                 KafkaProducer<String, PreferenceLabel> producer = Clients.avroProducer(settings, "bench");
                 KafkaConsumer<String, RewardModelVersion> watcher = Clients.avroConsumer(settings, "bench-watch", Topics.MODEL_VERSIONS)) {
                trainer.start();
                watcher.subscribe(List.of(Topics.MODEL_VERSIONS.name()));
                Thread watch = new Thread(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            for (ConsumerRecord<String, RewardModelVersion> r : watcher.poll(Duration.ofMillis(100))) {
                                versions.add(r.value());
                                publishedAt.put(r.value().getVersion(), System.currentTimeMillis());
                            }
                        } catch (org.apache.kafka.common.errors.WakeupException e) {
                            return;
                        }
                    }
                }, "bench-watch");
                watch.start();
                Map<String, Boolean> counted = new ConcurrentHashMap<>();
                long start = System.nanoTime();
                for (int i = 0; i < labels; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    LabeledPair p = pairs.get(i % pairs.size());
                    String pairId = p.id() + (i >= pairs.size() ? "#" + (i / pairs.size()) : "");
                    PreferenceSource source = i % 2 == 0 ? PreferenceSource.HUMAN : PreferenceSource.AI;
                    boolean gold = source == PreferenceSource.HUMAN && PairIds.unitHash(pairId) < cfg.holdoutShare();
                    PreferenceLabel label = PreferenceLabel.newBuilder().setPairId(pairId).setLabelVersion(1)
                            .setPromptId(pairId).setPrompt(p.prompt())
                            .setChosen(new RankedResponse(pairId + "/c", p.chosen(), null, 0, 0))
                            .setRejected(new RankedResponse(pairId + "/r", p.rejected(), null, 0, 0))
                            .setSource(source).setStrength(1.0).setAiConfidence(source == PreferenceSource.AI ? 0.9 : null)
                            .setCreatedAt(Instant.now()).build();
                    producer.send(new ProducerRecord<>(Topics.PREFERENCES.name(), pairId, label), (RecordMetadata md, Exception e) -> {
                        if (e == null) {
                            landed.put(md.partition() + ":" + md.offset(), System.currentTimeMillis());
                            counted.put(md.partition() + ":" + md.offset(), !gold);
                        }
                    });
                }
                producer.flush();
                double sendS = (System.nanoTime() - start) / 1e9;
                stdout.printf("sent %d labels in %.1f s (%.1f/s)%n", labels, sendS, labels / sendS);
                long deadline = System.currentTimeMillis() + 180_000;
                while (System.currentTimeMillis() < deadline && !(trainer.idle() && covered(landed, versions))) {
                    Thread.sleep(200);
                }
                watcher.wakeup();
                watch.join();
                List<Double> fresh = new ArrayList<>();
                Map<String, Long> firstCovered = new HashMap<>();
                List<RewardModelVersion> published = versions.stream().filter(RewardModelVersion::getPublished).toList();
                for (RewardModelVersion v : published) {
                    long t = publishedAt.get(v.getVersion());
                    for (var e : landed.entrySet()) {
                        String[] po = e.getKey().split(":");
                        long next = v.getDataOffsets().getOrDefault(po[0], 0L);
                        if (Long.parseLong(po[1]) < next && !firstCovered.containsKey(e.getKey())) {
                            firstCovered.put(e.getKey(), t);
                        }
                    }
                }
                for (var e : landed.entrySet()) {
                    if (Boolean.TRUE.equals(counted.get(e.getKey()))) {
                        // a label no published version covers (the last candidate was rejected) counts as never fresh
                        fresh.add(firstCovered.containsKey(e.getKey())
                                ? (firstCovered.get(e.getKey()) - e.getValue()) / 1000.0 : Double.POSITIVE_INFINITY);
                    }
                }
                Collections.sort(fresh);
                long uncovered = landed.keySet().stream().filter(k -> Boolean.TRUE.equals(counted.get(k)) && !firstCovered.containsKey(k)).count();
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("freshness_p95_s", round(pct(fresh, 0.95)));
                json.put("freshness_p50_s", round(pct(fresh, 0.50)));
                json.put("freshness_max_s", round(fresh.isEmpty() ? Double.NaN : fresh.get(fresh.size() - 1)));
                json.put("labels", labels);
                json.put("rate_per_s", rate);
                json.put("measured_labels", fresh.size());
                if (uncovered > 0) {
                    stdout.printf("%d labels are in no published version (the last candidate was rejected and no label came after)%n", uncovered);
                }
                json.put("never_covered", uncovered);
                json.put("rounds", versions.size());
                json.put("published", published.size());
                json.put("encoder", cfg.encoder());
                if (!published.isEmpty()) {
                    json.put("last_gold_accuracy", published.get(published.size() - 1).getMetrics().get("accuracy"));
                }
                // the floor: a label cannot be fresher than one round on the buffer (it waits for the round running when it
                // lands, then trains in the next); the trainer's own timer holds every round's duration
                var rounds = registry.find("rlaif_trainer_round_seconds").timer();
                double roundMax = rounds == null ? Double.NaN : rounds.max(java.util.concurrent.TimeUnit.MILLISECONDS) / 1000.0;
                double roundMean = rounds == null ? Double.NaN : rounds.mean(java.util.concurrent.TimeUnit.MILLISECONDS) / 1000.0;
                if (!(roundMax > 0)) {
                    roundMax = roundMean;   // the timer's max is windowed (two minutes): a long run may have let it expire
                }
                json.put("bench", "trainer");
                json.put("round_max_s", round(roundMax));
                json.put("round_mean_s", round(roundMean));
                json.put("freshness_ratio", round(pct(fresh, 0.95) / roundMax));
                stdout.printf("floor: one training round on the buffer takes up to %.1f s (mean %.1f s); freshness p95 / longest round %.2f%n",
                        roundMax, roundMean, pct(fresh, 0.95) / roundMax);
                stdout.printf("%d rounds, %d published; freshness p50 %.1f s, p95 %.1f s, max %.1f s over %d labels%n",
                        versions.size(), published.size(), pct(fresh, 0.5), pct(fresh, 0.95),
                        fresh.isEmpty() ? Double.NaN : fresh.get(fresh.size() - 1), fresh.size());
                stdout.println(Json.write(json));
            }
        }
        return 0;
    }

    private static boolean covered(Map<String, Long> landed, List<RewardModelVersion> versions) {
        Map<String, Long> max = new HashMap<>();
        synchronized (versions) {
            for (RewardModelVersion v : versions) {
                if (v.getPublished()) {
                    v.getDataOffsets().forEach((p, o) -> max.merge(p, o, Math::max));
                }
            }
        }
        for (String k : landed.keySet()) {
            String[] po = k.split(":");
            if (Long.parseLong(po[1]) >= max.getOrDefault(po[0], 0L)) {
                return false;
            }
        }
        return true;
    }

    private static double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static Double round(double x) {
        return Double.isFinite(x) ? Math.round(x * 100) / 100.0 : null;
    }
}
