package dev.rlaif.cli.ingest;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.dataset.DatasetFormat;
import dev.rlaif.common.dataset.Datasets;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.cli.run.ConnectionOptions;
import dev.rlaif.schema.PolicyGeneration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Sends a dataset file into the pipeline as generations: to the gateway ({@code --gateway URL}) or straight to
 * Kafka. Pairwise formats become two generations per comparison (same prompt id); generation files go as they are.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Send a file (HH-RLHF, pairwise JSONL, generation JSONL, PandaLM) to the gateway or to Kafka.")
public final class IngestCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the file to send (.gz is read transparently)")
    Path file;

    @Option(names = "--format", description = "hh-rlhf, pairwise, generations or pandalm (default: detected)")
    String format;

    @Option(names = "--gateway", description = "gateway base URL, e.g. http://localhost:8080 (default: write to Kafka directly)")
    String gateway;

    @Option(names = "--token", description = "bearer token for the gateway (default: env RLAIF_GATEWAY_TOKEN)")
    String token = System.getenv("RLAIF_GATEWAY_TOKEN");

    @Option(names = "--limit", description = "send at most N records (comparisons or generations)")
    Long limit;

    @Option(names = "--batch", description = "records per request (default ${DEFAULT-VALUE})", defaultValue = "200")
    int batchSize;

    @Option(names = "--rate", defaultValue = "0",
            description = "records (comparisons or generations) per second; 0 = as fast as they are acknowledged (default)")
    double rate;

    @Option(names = "--policy-model", description = "policy_model of generations made from pairwise data (default ${DEFAULT-VALUE})",
            defaultValue = "dataset")
    String policyModel;

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            System.err.println("rlaif ingest: no such file: " + file);
            return 2;
        }
        DatasetFormat fmt = format == null ? DatasetFormat.detect(file) : DatasetFormat.parse(format);
        long sent;
        try (GenerationSink sink = sink()) {
            sent = send(file, fmt, limit, batchSize, rate, policyModel, sink, true);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", file.toString());
        result.put("format", fmt.name().toLowerCase());
        result.put("generations", sent);
        System.out.println(Json.write(result));
        return 0;
    }

    private GenerationSink sink() {
        if (gateway != null) {
            return new HttpSink(gateway, token);
        }
        KafkaSettings kafka = KafkaSettings.fromEnv(connection.env());
        TopicAdmin.createAll(kafka);
        return new KafkaSink(kafka);
    }

    /** Reads the file, turns it into generations and sends them in batches; returns the number of generations sent. */
    public static long send(Path file, DatasetFormat fmt, Long limit, int batchSize, double rate, String policyModel,
                            GenerationSink sink, boolean progress) throws Exception {
        return send(file, fmt, limit, batchSize, rate, policyModel, sink, progress, g -> true);
    }

    /**
     * As {@link #send(Path, DatasetFormat, Long, int, double, String, GenerationSink, boolean)}, sending only the
     * generations {@code keep} accepts (a resumed replay skips those already in Kafka; units left empty are not paced).
     */
    public static long send(Path file, DatasetFormat fmt, Long limit, int batchSize, double rate, String policyModel,
                            GenerationSink sink, boolean progress, java.util.function.Predicate<PolicyGeneration> keep) throws Exception {
        Instant now = Instant.now();
        Map<String, String> tags = Map.of("source", file.getFileName().toString());
        Stream<List<PolicyGeneration>> units = fmt == DatasetFormat.GENERATIONS
                ? Datasets.readGenerations(file).map(List::of)
                : Datasets.readPairs(file, fmt).map(ex -> Datasets.toGenerations(ex, policyModel, now, tags));
        if (limit != null) {
            units = units.limit(limit);
        }
        units = units.map(u -> u.stream().filter(keep).toList()).filter(u -> !u.isEmpty());
        long sent = 0;
        try (Stream<List<PolicyGeneration>> s = units;
             ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("ingest").setStyle(ProgressBarStyle.ASCII)
                     .setInitialMax(limit == null ? -1 : limit).setUnit(" records", 1).continuousUpdate().build() : null) {
            List<PolicyGeneration> batch = new ArrayList<>();
            Iterator<List<PolicyGeneration>> it = s.iterator();
            long started = System.nanoTime();
            long read = 0;
            while (it.hasNext()) {
                batch.addAll(it.next());
                read++;
                if (bar != null) {
                    bar.step();
                }
                long due = rate > 0 ? started + (long) (read / rate * 1e9) : 0;
                if (batch.size() >= batchSize || (rate > 0 && due > System.nanoTime())) {
                    sink.send(batch);
                    sent += batch.size();
                    batch = new ArrayList<>();
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            if (!batch.isEmpty()) {
                sink.send(batch);
                sent += batch.size();
            }
        }
        return sent;
    }
}
