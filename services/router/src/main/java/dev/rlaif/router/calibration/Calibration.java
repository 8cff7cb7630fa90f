package dev.rlaif.router.calibration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * AI-human agreement per judge model and confidence bucket, and the automatic threshold derived from it. Shared
 * (thread-safe) between the router's calibration processor, which feeds it from its store, the routing processor,
 * which reads the threshold, the {@code rlaif_router_calibration_*} metrics, and {@code ./rlaif calibrate}, which
 * fills one from the topics.
 *
 * <p>Buckets are equal-width over [0, 1]; confidence 1.0 falls in the top bucket. The automatic threshold is the
 * lowest bucket edge from which every bucket upwards is known to be accurate enough (at least {@code minSamples}
 * human-labelled pairs and agreement at least {@code target}), or unknown but at or above the configured
 * threshold (where the configured threshold is trusted). Asking every emitted bucket to reach the target is a
 * conservative way to make the AI labels as a whole reach it. When even the top bucket is known to fall short, the
 * threshold goes above 1 and every pair goes to humans.
 */
public final class Calibration {

    /** One cell of the table. */
    public record Cell(String judgeModel, int bucket, double low, double high, long n, long agree) {
        public double agreement() {
            return n == 0 ? Double.NaN : agree / (double) n;
        }
    }

    private final int buckets;
    private final Map<String, long[][]> models = new TreeMap<>();
    private MeterRegistry registry;

    public Calibration(int buckets) {
        if (buckets < 2) {
            throw new IllegalArgumentException("at least 2 buckets, was " + buckets);
        }
        this.buckets = buckets;
    }

    public int buckets() {
        return buckets;
    }

    /** The bucket of a confidence. */
    public int bucket(double confidence) {
        double c = Double.isNaN(confidence) ? 0 : Math.max(0, Math.min(1, confidence));
        return Math.min(buckets - 1, (int) Math.floor(c * buckets));
    }

    /** Counts one human label on a pair the AI judged with this confidence; {@code agreed} when the verdicts match. */
    public synchronized void record(String judgeModel, double confidence, boolean agreed) {
        long[] cell = cell(judgeModel, bucket(confidence));
        cell[0]++;
        if (agreed) {
            cell[1]++;
        }
    }

    /** Sets a cell (restoring from a store). */
    public synchronized void set(String judgeModel, int bucket, long n, long agree) {
        long[] cell = cell(judgeModel, bucket);
        cell[0] = n;
        cell[1] = agree;
    }

    /** Labels and agreements counted in a cell. */
    public synchronized long[] counts(String judgeModel, int bucket) {
        long[][] m = models.get(judgeModel);
        return m == null ? new long[]{0, 0} : m[bucket].clone();
    }

    /** Every non-empty cell, by model then bucket. */
    public synchronized List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        models.forEach((model, table) -> {
            for (int b = 0; b < buckets; b++) {
                if (table[b][0] > 0) {
                    out.add(new Cell(model, b, b / (double) buckets, (b + 1) / (double) buckets, table[b][0], table[b][1]));
                }
            }
        });
        return out;
    }

    /** Judge models seen. */
    public synchronized List<String> models() {
        return List.copyOf(models.keySet());
    }

    /**
     * The threshold for a judge model (see the class comment); {@code configured} when the table says nothing
     * that would change it.
     */
    public synchronized double threshold(String judgeModel, double configured, double target, int minSamples) {
        long[][] table = models.get(judgeModel);
        if (table == null) {
            return configured;
        }
        double best = Double.NaN;
        for (int b = buckets - 1; b >= 0; b--) {
            double low = b / (double) buckets;
            double high = (b + 1) / (double) buckets;
            long n = table[b][0];
            if (n >= minSamples) {
                if (table[b][1] < target * n - 1e-9) {
                    break; // known to fall short: nothing from here down may be labelled by the AI
                }
                best = low;
            } else if (high > configured + 1e-9) {
                best = Math.max(low, configured); // not enough evidence: trust the configured threshold
            } else {
                break; // unknown and below the configured threshold: do not lower into it
            }
        }
        if (Double.isNaN(best)) {
            return table[buckets - 1][0] >= minSamples ? 1.0 + 1e-6 : configured;
        }
        return best;
    }

    /** Publishes {@code rlaif_router_calibration_agreement} and {@code _labels} gauges per model and bucket. */
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        models.forEach((model, table) -> {
            for (int b = 0; b < buckets; b++) {
                register(model, b);
            }
        });
    }

    private long[] cell(String model, int bucket) {
        long[][] table = models.get(model);
        if (table == null) {
            table = new long[buckets][2];
            models.put(model, table);
            if (registry != null) {
                for (int b = 0; b < buckets; b++) {
                    register(model, b);
                }
            }
        }
        return table[bucket];
    }

    private void register(String model, int b) {
        String bucket = String.format(java.util.Locale.ROOT, "%.2f-%.2f", b / (double) buckets, (b + 1) / (double) buckets);
        Gauge.builder("rlaif_router_calibration_agreement", this, c -> c.counts(model, b)[0] == 0 ? Double.NaN
                        : c.counts(model, b)[1] / (double) c.counts(model, b)[0])
                .description("AI-human agreement on human-labelled pairs, per judge model and confidence bucket")
                .tag("judge_model", model).tag("bucket", bucket).register(registry);
        Gauge.builder("rlaif_router_calibration_labels", this, c -> c.counts(model, b)[0])
                .description("Human labels behind the calibration cell")
                .tag("judge_model", model).tag("bucket", bucket).register(registry);
    }

    /** The bucket index of a cell key {@code model\u0000bucket}, or empty. */
    public static Optional<String[]> splitKey(String key) {
        int i = key.lastIndexOf('\u0000');
        return i < 0 ? Optional.empty() : Optional.of(new String[]{key.substring(0, i), key.substring(i + 1)});
    }

    /** The store key of a cell. */
    public static String key(String model, int bucket) {
        return model + '\u0000' + bucket;
    }
}
