package dev.rlaif.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif bench}: the suite. Runs each benchmark {@code --repeat} times in this process (each run measures its
 * own floor beside its subject, interleaved, under the same load), takes the median of every figure, prints a
 * markdown table (subject, floor, ratio, target) and then one JSON line per benchmark. {@code ./rlaif bench NAME}
 * runs one benchmark once, as before.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks. Without a name: the suite (pipeline, labeling, scorer, trainer, judge), each with its floor, "
                + "median of --repeat runs, a markdown table and one JSON line per benchmark.")
public final class BenchSuite implements Callable<Integer> {

    /** How a benchmark's JSON line reads in the table. */
    record Row(String bench, String subjectKey, String subjectLabel, String floorKey, String floorLabel, String ratioKey,
               String target, String[] args) {
    }

    static final List<Row> ROWS = List.of(
            new Row("pipeline", "pipeline_gens_per_s", "generations/s through pairing, router, merger (instant judge)",
                    "passthrough_gens_per_s", "pass-through chain over the same hops, generations/s", "ratio", ">= 10,000/s and ratio >= 0.5", new String[0]),
            new Row("labeling", "submit_p99_ms", "p99 submit over HTTP (ms)", "floor_submit_p99_ms",
                    "p99 submit by direct calls: store commit + acks=all send (ms)", "submit_ratio", "<= 2x floor, < 50 ms", new String[0]),
            new Row("scorer", "cold_pairs_per_s", "cold pairs/s (/v1/compare)", "encoder_pairs_per_s",
                    "encoder alone, texts/s / 3", "cold_ratio", "1,000 pairs/s", new String[0]),
            new Row("trainer", "freshness_p95_s", "label-to-published-version p95 (s)", "round_max_s",
                    "one training round on the buffer (s)", "freshness_ratio", "< 30 s", new String[0]),
            new Row("judge", "requests_per_s", "LLM requests/s (8 samples per pair, critiques)", "capacity_requests_per_s",
                    "endpoint capacity requests/s", "judge_efficiency", ">= 0.90", new String[0]));

    @Spec
    CommandSpec spec;

    @Option(names = "--repeat", defaultValue = "3", description = "runs per benchmark; the median is reported (default ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--only", split = ",", description = "benchmarks to run (default: all of pipeline, labeling, scorer, trainer, judge)")
    List<String> only = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Map<String, Map<String, Object>> medians = new LinkedHashMap<>();
        for (Row row : ROWS) {
            if (!only.isEmpty() && !only.contains(row.bench())) {
                continue;
            }
            CommandLine sub = spec.commandLine().getSubcommands().get(row.bench());
            if (sub == null) {
                System.err.println("rlaif bench: no benchmark named " + row.bench() + " on the class path, skipped");
                continue;
            }
            List<JsonNode> runs = new ArrayList<>();
            for (int i = 1; i <= repeat; i++) {
                System.err.printf("rlaif bench: %s, run %d of %d%n", row.bench(), i, repeat);
                JsonNode json = runCaptured(sub, row.args());
                if (json == null) {
                    System.err.println("rlaif bench: " + row.bench() + " printed no JSON line (failed?)");
                    continue;
                }
                runs.add(json);
            }
            if (!runs.isEmpty()) {
                Map<String, Object> m = median(runs);
                m.put("bench", row.bench());
                m.put("runs", runs.size());
                medians.put(row.bench(), m);
            }
        }
        out.println();
        out.println(table(medians, Runtime.getRuntime().availableProcessors()));
        pipelineSplit(medians.get("pipeline")).ifPresent(line -> out.println(line + "\n"));
        for (Map<String, Object> m : medians.values()) {
            out.println(Json.write(m));
        }
        return medians.size() == (only.isEmpty() ? ROWS.size() : only.size()) ? 0 : 1;
    }

    /** Runs a benchmark command with its output shown on stderr, and returns its last JSON line. */
    static JsonNode runCaptured(CommandLine sub, String[] args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        PrintStream tee = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                buffer.write(b);
                System.err.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
                System.err.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
        int rc;
        System.setOut(tee);
        try {
            rc = sub.execute(args);
        } finally {
            System.setOut(saved);
        }
        if (rc != 0) {
            return null;
        }
        List<String> lines = buffer.toString(StandardCharsets.UTF_8).lines().toList();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i).trim();
            if (l.startsWith("{")) {
                return Json.read(l);
            }
        }
        return null;
    }

    /** Per field: the median of the numbers (the lower middle for an even count), or the last value of anything else. */
    static Map<String, Object> median(List<JsonNode> runs) {
        Map<String, List<Double>> numbers = new LinkedHashMap<>();
        Map<String, Object> out = new LinkedHashMap<>();
        for (JsonNode run : runs) {
            for (Iterator<Map.Entry<String, JsonNode>> it = run.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().isNumber()) {
                    numbers.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue().asDouble());
                } else {
                    out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
                }
            }
        }
        numbers.forEach((k, v) -> {
            List<Double> sorted = v.stream().sorted().toList();
            double m = sorted.get((sorted.size() - 1) / 2);
            out.put(k, Math.round(m * 1000) / 1000.0);
        });
        return out;
    }

    static String table(Map<String, Map<String, Object>> medians, int cores) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "rlaif bench suite: medians, %d cores%n%n", cores));
        b.append("| benchmark | subject | value | floor (same run) | value | ratio | target |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Row row : ROWS) {
            Map<String, Object> m = medians.get(row.bench());
            if (m == null) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", row.bench(), row.subjectLabel(),
                    fmt(m.get(row.subjectKey())), row.floorLabel(), fmt(m.get(row.floorKey())), fmt(m.get(row.ratioKey())),
                    row.target()));
        }
        return b.toString();
    }

    /**
     * The pipeline's ratio as its two measured factors: what the design appends per generation against the floor
     * ({@code records_ratio}), and what each appended record costs against a pass-through record.
     */
    static Optional<String> pipelineSplit(Map<String, Object> m) {
        if (m == null || !(m.get("records_ratio") instanceof Double records)
                || !(m.get("pipeline_cpu_us_per_record") instanceof Double pipeUs)
                || !(m.get("passthrough_cpu_us_per_record") instanceof Double floorUs)) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "pipeline's ratio, split: records appended per generation %s "
                        + "against the floor's %s (records ratio %.2f, its bound) x CPU per record %.1f against %.1f us "
                        + "(%.2f) = %.2f; the measured CPU ratio is %s", fmt(m.get("pipeline_records_per_gen")),
                fmt(m.get("passthrough_records_per_gen")), records, pipeUs, floorUs, floorUs / pipeUs, records * floorUs / pipeUs,
                fmt(m.get("cpu_ratio"))));
    }

    private static String fmt(Object v) {
        if (!(v instanceof Double d)) {
            return v == null ? "–" : v.toString();
        }
        return Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.2f", d);
    }
}
