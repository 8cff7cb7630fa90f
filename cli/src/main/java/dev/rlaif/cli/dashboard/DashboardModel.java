package dev.rlaif.cli.dashboard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the metrics history into what the dashboard page draws: the pipeline's live rates per topic and service,
 * and time series of consumer lag, escalations by reason, the human queue (total and per reason), AI-human
 * agreement, the judge's position-inconsistency rate, the judge's quality per model and prompt version (position
 * inconsistency, agreement on audits with its interval, ECE, votes per pair), and the accuracy of each reward-model
 * version. Pure: snapshots in, a JSON-ready
 * map out.
 */
final class DashboardModel {

    private static final Pattern KEY = Pattern.compile("rlaif_([a-z]+)_([a-z_]+?)(?:\\{(.*)})?");

    private DashboardModel() {
    }

    /** A parsed meter key: service, metric (without the {@code rlaif_<service>_} prefix) and tags. */
    record Key(String service, String metric, Map<String, String> tags) {
        static Key parse(String key) {
            Matcher m = KEY.matcher(key);
            if (!m.matches()) {
                return null;
            }
            Map<String, String> tags = new TreeMap<>();
            if (m.group(3) != null) {
                for (String kv : m.group(3).split(",")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        tags.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
            return new Key(m.group(1), m.group(2), tags);
        }
    }

    static Map<String, Object> build(List<MetricsHistory.Snapshot> history) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Long> t = new ArrayList<>();
        history.forEach(s -> t.add(s.epochMs() / 1000));
        out.put("t", t);
        MetricsHistory.Snapshot last = history.isEmpty() ? null : history.get(history.size() - 1);
        MetricsHistory.Snapshot prev = history.size() < 2 ? null : history.get(history.size() - 2);

        // the pipeline: per topic the rate written (every producing service) and per service in/out/lag/errors
        Map<String, Map<String, Object>> topics = new TreeMap<>();
        Map<String, Map<String, Object>> services = new TreeMap<>();
        if (last != null) {
            for (String k : last.values().keySet()) {
                Key key = Key.parse(k);
                if (key == null || key.tags().get("topic") == null) {
                    continue;
                }
                String topic = key.tags().get("topic");
                double total = last.values().get(k);
                double rate = rate(prev, last, k);
                switch (key.metric()) {
                    case "records_out_total" -> {
                        Map<String, Object> tm = topics.computeIfAbsent(topic, x -> new LinkedHashMap<>());
                        tm.merge("total", total, (a, b) -> (double) a + (double) b);
                        tm.merge("rate", rate, (a, b) -> (double) a + (double) b);
                        services.computeIfAbsent(key.service(), x -> new LinkedHashMap<>()).merge("out_rate", rate, (a, b) -> (double) a + (double) b);
                    }
                    case "records_in_total" -> services.computeIfAbsent(key.service(), x -> new LinkedHashMap<>())
                            .merge("in_rate", rate, (a, b) -> (double) a + (double) b);
                    case "consumer_lag" -> services.computeIfAbsent(key.service(), x -> new LinkedHashMap<>())
                            .merge("lag", total, (a, b) -> (double) a + (double) b);
                    case "errors_total" -> services.computeIfAbsent(key.service(), x -> new LinkedHashMap<>())
                            .merge("errors", total, (a, b) -> (double) a + (double) b);
                    default -> { }
                }
            }
        }
        out.put("topics", topics);
        out.put("services", services);

        Map<String, Object> series = new LinkedHashMap<>();
        series.put("lag", grouped(history, k -> "consumer_lag".equals(k.metric()), Key::service, false));
        series.put("escalations_per_min", scale(grouped(history,
                k -> "router".equals(k.service()) && "escalations_total".equals(k.metric()), k -> k.tags().get("reason"), true), 60));
        series.put("ai_labels_per_min", scale(grouped(history,
                k -> "router".equals(k.service()) && "ai_labels_total".equals(k.metric()), k -> "ai labels", true), 60));
        series.put("queue_depth", queueDepth(history));
        series.put("agreement", agreement(history));
        series.put("position_inconsistency", inconsistency(history));
        out.put("series", series);
        out.put("judge_quality", judgeQuality(history));
        out.put("versions", versions(last));
        return out;
    }

    /**
     * The human queue: the total ("open") and one series per escalation reason that has had a task waiting at some
     * point in the window (reasons always at zero are left out).
     */
    static Map<String, List<Double>> queueDepth(List<MetricsHistory.Snapshot> history) {
        Map<String, List<Double>> out = new LinkedHashMap<>(grouped(history,
                k -> "labeling".equals(k.service()) && "queue_depth".equals(k.metric()), k -> "open", false));
        Map<String, List<Double>> byReason = grouped(history,
                k -> "labeling".equals(k.service()) && "queue_depth_by_reason".equals(k.metric()),
                k -> k.tags().get("reason") == null ? null : k.tags().get("reason").toLowerCase(java.util.Locale.ROOT), false);
        byReason.forEach((reason, values) -> {
            if (values.stream().anyMatch(v -> v != null && v > 0)) {
                out.put(reason, values);
            }
        });
        return out;
    }

    /** The judge-quality gauges the router publishes, by their metric name after {@code rlaif_judge_quality_}. */
    static final List<String> QUALITY = List.of("position_inconsistency", "audit_agreement", "audit_agreement_low",
            "audit_agreement_high", "ece", "votes_per_pair");

    /**
     * Judge quality per judge model and prompt version ({@code model · prompt}), from the router's
     * {@code rlaif_judge_quality_*} gauges: for each measure, one series per judge key. A gauge that is NaN (no audit
     * yet) is a gap.
     */
    static Map<String, Map<String, List<Double>>> judgeQuality(List<MetricsHistory.Snapshot> history) {
        Map<String, Map<String, List<Double>>> out = new LinkedHashMap<>();
        for (String measure : QUALITY) {
            out.put(measure, grouped(history,
                    k -> "judge".equals(k.service()) && ("quality_" + measure).equals(k.metric()),
                    k -> k.tags().getOrDefault("judge_model", "?") + " · " + k.tags().getOrDefault("prompt_version", "?"),
                    false));
        }
        return out;
    }

    private static double rate(MetricsHistory.Snapshot prev, MetricsHistory.Snapshot last, String key) {
        if (prev == null || last.epochMs() <= prev.epochMs()) {
            return 0;
        }
        double before = prev.values().getOrDefault(key, 0.0);
        double now = last.values().getOrDefault(key, 0.0);
        return Math.max(0, now - before) * 1000.0 / (last.epochMs() - prev.epochMs());
    }

    /**
     * One series per group (summed over the meters in it): values as read, or per-second rates of totals. A
     * snapshot without the meter gives null (a gap), not zero.
     */
    static Map<String, List<Double>> grouped(List<MetricsHistory.Snapshot> history, Predicate<Key> which,
                                             java.util.function.Function<Key, String> group, boolean asRate) {
        Map<String, List<Double>> out = new TreeMap<>();
        for (int i = 0; i < history.size(); i++) {
            MetricsHistory.Snapshot s = history.get(i);
            MetricsHistory.Snapshot p = i == 0 ? null : history.get(i - 1);
            Map<String, Double> sums = new TreeMap<>();
            for (var e : s.values().entrySet()) {
                Key k = Key.parse(e.getKey());
                if (k == null || !which.test(k) || group.apply(k) == null) {
                    continue;
                }
                double v = asRate ? (p == null ? 0 : rate(p, s, e.getKey())) : e.getValue();
                sums.merge(group.apply(k), v, Double::sum);
            }
            for (String g : sums.keySet()) {
                out.computeIfAbsent(g, x -> new ArrayList<>());
            }
            for (var e : out.entrySet()) {
                List<Double> l = e.getValue();
                while (l.size() < i) {
                    l.add(null);
                }
                l.add(sums.get(e.getKey()));
            }
        }
        return out;
    }

    private static Map<String, List<Double>> scale(Map<String, List<Double>> m, double f) {
        m.values().forEach(l -> l.replaceAll(v -> v == null ? null : v * f));
        return m;
    }

    /** Labels-weighted AI-human agreement over the router's calibration cells (audits and low-confidence pairs). */
    private static List<Double> agreement(List<MetricsHistory.Snapshot> history) {
        List<Double> out = new ArrayList<>();
        for (MetricsHistory.Snapshot s : history) {
            double agree = 0;
            double n = 0;
            for (var e : s.values().entrySet()) {
                Key k = Key.parse(e.getKey());
                if (k == null || !"router".equals(k.service()) || !"calibration_labels".equals(k.metric())) {
                    continue;
                }
                String agreementKey = e.getKey().replace("rlaif_router_calibration_labels", "rlaif_router_calibration_agreement");
                Double a = s.values().get(agreementKey);
                if (a != null && e.getValue() > 0) {
                    agree += a * e.getValue();
                    n += e.getValue();
                }
            }
            out.add(n == 0 ? null : agree / n);
        }
        return out;
    }

    /** Share of the judgments so far that were position-inconsistent. */
    private static List<Double> inconsistency(List<MetricsHistory.Snapshot> history) {
        List<Double> out = new ArrayList<>();
        for (MetricsHistory.Snapshot s : history) {
            double judged = 0;
            for (var e : s.values().entrySet()) {
                if (e.getKey().startsWith("rlaif_judge_judgments_total")) {
                    judged += e.getValue();
                }
            }
            double bad = s.values().getOrDefault("rlaif_judge_position_inconsistent_total", 0.0);
            out.add(judged == 0 ? null : bad / judged);
        }
        return out;
    }

    /** Accuracy of every version trained so far, oldest first. */
    private static List<Map<String, Object>> versions(MetricsHistory.Snapshot last) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (last == null) {
            return out;
        }
        Map<String, Map<String, Object>> byVersion = new TreeMap<>();
        for (var e : last.values().entrySet()) {
            Key k = Key.parse(e.getKey());
            if (k == null || !"trainer".equals(k.service()) || !"version_accuracy".equals(k.metric())) {
                continue;
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("version", k.tags().get("version"));
            v.put("accuracy", e.getValue());
            v.put("published", Boolean.parseBoolean(k.tags().get("published")));
            byVersion.put(k.tags().get("version"), v);
        }
        out.addAll(byVersion.values());
        return out;
    }
}
