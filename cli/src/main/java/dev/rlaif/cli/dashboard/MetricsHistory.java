package dev.rlaif.cli.dashboard;

import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard's memory: every few seconds a snapshot of the {@code rlaif_*} meters of the services' registry
 * (counters as totals, gauges as values), the last {@code capacity} kept. Rates are differences of totals between
 * snapshots, worked out by {@link DashboardModel}.
 */
final class MetricsHistory {

    /** One reading: when, and each meter's value by {@link #key(String, Map) key}. */
    record Snapshot(long epochMs, Map<String, Double> values) {
    }

    private final Deque<Snapshot> snapshots = new ArrayDeque<>();
    private final int capacity;

    MetricsHistory(int capacity) {
        this.capacity = capacity;
    }

    /** {@code name{k=v,...}} with tags sorted: the same meter gives the same key. */
    static String key(String name, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        new TreeMap<>(tags).forEach((k, v) -> b.append(k).append('=').append(v).append(','));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /** Reads the registry now. */
    synchronized Snapshot sample(MeterRegistry registry, long epochMs) {
        Map<String, Double> values = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            if (!name.startsWith("rlaif_")) {
                continue;
            }
            Map<String, String> tags = new TreeMap<>();
            for (Tag t : m.getId().getTags()) {
                tags.put(t.getKey(), t.getValue());
            }
            Double v = null;
            for (Measurement x : m.measure()) {
                if (x.getStatistic() == Statistic.COUNT || x.getStatistic() == Statistic.VALUE) {
                    v = x.getValue();
                    break;
                }
            }
            if (v != null && !Double.isNaN(v)) {
                values.put(key(name, tags), v);
            }
        }
        return add(new Snapshot(epochMs, values));
    }

    synchronized Snapshot add(Snapshot s) {
        snapshots.addLast(s);
        while (snapshots.size() > capacity) {
            snapshots.removeFirst();
        }
        return s;
    }

    synchronized List<Snapshot> all() {
        return new ArrayList<>(snapshots);
    }
}
