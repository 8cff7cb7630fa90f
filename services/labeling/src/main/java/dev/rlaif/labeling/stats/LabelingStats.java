package dev.rlaif.labeling.stats;

import dev.rlaif.common.annotators.DawidSkene;
import dev.rlaif.labeling.gold.GoldScore;
import dev.rlaif.labeling.queue.LabelQueue;
import dev.rlaif.labeling.store.StoredGold;
import dev.rlaif.labeling.store.StoredLabel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The numbers of the admin stats page and of an annotator's own stats, computed from a consistent snapshot of the
 * queue: queue depth by reason and state, labels per hour, agreement of each annotator with peers (Cohen's kappa
 * against the other labels of the same tasks, Fleiss' kappa over the tasks it labeled, Dawid–Skene reliability with
 * a 95% Wilson interval over the annotator's label count) and with the AI judge on
 * audit tasks, and accuracy on gold items (known-answer pairs) with a 95% Wilson interval.
 */
public final class LabelingStats {

    private LabelingStats() {
    }

    /** Queue depth: per reason, the number of tasks in each state (OPEN, LEASED, DEFERRED, DONE). */
    public static Map<String, Object> queue(LabelQueue.Snapshot s, Instant now) {
        Map<String, Map<String, Integer>> byReason = new TreeMap<>();
        Map<String, Integer> totals = new TreeMap<>();
        for (LabelQueue.TaskInfo t : s.tasks()) {
            byReason.computeIfAbsent(t.reason(), r -> new TreeMap<>()).merge(t.state(), 1, Integer::sum);
            totals.merge(t.state(), 1, Integer::sum);
        }
        long hourAgo = now.minus(Duration.ofHours(1)).toEpochMilli();
        long lastHour = s.labels().stream().filter(l -> l.createdAt() >= hourAgo).count();
        // Labels per hour over the last 24 hours, oldest first.
        int[] hourly = new int[24];
        long start = now.toEpochMilli() - Duration.ofHours(24).toMillis();
        for (StoredLabel l : s.labels()) {
            if (l.createdAt() >= start) {
                int idx = (int) Math.min(23, (l.createdAt() - start) / Duration.ofHours(1).toMillis());
                hourly[idx]++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("depth_by_reason", byReason);
        out.put("totals", totals);
        out.put("waiting", totals.getOrDefault("OPEN", 0) + totals.getOrDefault("LEASED", 0) + totals.getOrDefault("DEFERRED", 0));
        out.put("labels_total", s.labels().size());
        out.put("labels_last_hour", lastHour);
        out.put("labels_per_hour_24h", hourly);
        return out;
    }

    /** Per-annotator counts and agreement, plus the overall Fleiss' kappa. */
    public static Map<String, Object> annotators(LabelQueue.Snapshot s, Instant now) {
        Map<String, LabelQueue.TaskInfo> taskById = new HashMap<>();
        s.tasks().forEach(t -> taskById.put(t.escalationId(), t));
        Map<String, List<StoredLabel>> byTask = new HashMap<>();
        Map<String, List<StoredLabel>> byAnnotator = new TreeMap<>();
        for (StoredLabel l : s.labels()) {
            byTask.computeIfAbsent(l.escalationId(), k -> new ArrayList<>()).add(l);
            byAnnotator.computeIfAbsent(l.annotatorId(), k -> new ArrayList<>()).add(l);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        DawidSkene.Model reliability = reliability(s.labels());
        Map<String, GoldScore> gold = new HashMap<>();
        s.goldScores().forEach(g -> gold.put(g.annotatorId(), g));
        for (String annotator : gold.keySet()) {
            byAnnotator.putIfAbsent(annotator, List.of());
        }
        for (var e : byAnnotator.entrySet()) {
            Map<String, Object> r = row(e.getKey(), e.getValue(), byTask, taskById, now);
            double rel = reliability.reliability(e.getKey());
            double[] ci = DawidSkene.wilson(rel, e.getValue().size());
            r.put("reliability", Double.isNaN(rel) ? null : rel);
            r.put("reliability_low", Double.isNaN(rel) ? null : ci[0]);
            r.put("reliability_high", Double.isNaN(rel) ? null : ci[1]);
            GoldScore g = gold.getOrDefault(e.getKey(), new GoldScore(e.getKey(), 0, 0));
            double[] gi = g.interval();
            r.put("gold_answers", g.answered());
            r.put("gold_correct", g.correct());
            r.put("gold_accuracy", g.answered() == 0 ? null : g.accuracy());
            r.put("gold_accuracy_low", g.answered() == 0 ? null : gi[0]);
            r.put("gold_accuracy_high", g.answered() == 0 ? null : gi[1]);
            rows.add(r);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fleiss_kappa", Agreement.fleiss(byTask.values().stream()
                .map(ls -> ls.stream().map(StoredLabel::choice).toList()).toList()));
        List<String[]> ai = new ArrayList<>();
        for (StoredLabel l : s.labels()) {
            LabelQueue.TaskInfo t = taskById.get(l.escalationId());
            if (t != null && "AUDIT".equals(t.reason()) && t.aiVerdict() != null) {
                ai.add(new String[]{l.choice(), t.aiVerdict()});
            }
        }
        out.put("ai_agreement_on_audits", Agreement.rate(ai));
        out.put("ai_kappa_on_audits", Agreement.cohen(ai));
        out.put("audit_labels", ai.size());
        long goldAnswers = s.goldScores().stream().mapToLong(GoldScore::answered).sum();
        long goldCorrect = s.goldScores().stream().mapToLong(GoldScore::correct).sum();
        out.put("gold_answers", goldAnswers);
        out.put("gold_accuracy", goldAnswers == 0 ? null : goldCorrect / (double) goldAnswers);
        out.put("annotators", rows);
        return out;
    }

    /** The classes of a label in Dawid–Skene's index order. */
    static final List<String> CLASSES = List.of("A", "B", "TIE");

    /**
     * Dawid–Skene over every label in the snapshot (items are pairs; the classes A, B, TIE): each annotator's
     * confusion matrix and reliability, estimated without gold from how their labels co-occur with everyone's.
     */
    static DawidSkene.Model reliability(List<StoredLabel> labels) {
        List<DawidSkene.Label> ls = new ArrayList<>();
        for (StoredLabel l : labels) {
            int k = CLASSES.indexOf(l.choice());
            if (k >= 0) {
                ls.add(new DawidSkene.Label(l.pairId(), l.annotatorId(), k));
            }
        }
        return DawidSkene.of(CLASSES.size()).fit(ls);
    }

    /** One annotator's own numbers (what an annotator may see). */
    public static Map<String, Object> own(LabelQueue.Snapshot s, String annotatorId, Instant now) {
        // Gold answers count as labels here: an annotator's own numbers must not tell gold items apart.
        List<StoredLabel> mine = new ArrayList<>(s.labels().stream().filter(l -> l.annotatorId().equals(annotatorId)).toList());
        for (StoredGold g : s.gold()) {
            if (g.annotatorId().equals(annotatorId)) {
                mine.add(new StoredLabel(g.labelId(), g.escalationId(), "", annotatorId, g.choice(), g.shownChoice(), null,
                        g.source(), g.timeSpentMs(), g.answeredAt(), g.leaseId(), false));
            }
        }
        long hourAgo = now.minus(Duration.ofHours(1)).toEpochMilli();
        long dayAgo = now.minus(Duration.ofHours(24)).toEpochMilli();
        Map<String, Integer> choices = new TreeMap<>();
        mine.forEach(l -> choices.merge(l.choice(), 1, Integer::sum));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("annotator_id", annotatorId);
        out.put("labels", mine.size());
        out.put("labels_last_hour", mine.stream().filter(l -> l.createdAt() >= hourAgo).count());
        out.put("labels_last_24h", mine.stream().filter(l -> l.createdAt() >= dayAgo).count());
        out.put("choices", choices);
        out.put("median_time_ms", median(mine.stream().map(StoredLabel::timeSpentMs).toList()));
        return out;
    }

    private static Map<String, Object> row(String annotator, List<StoredLabel> mine, Map<String, List<StoredLabel>> byTask,
                                           Map<String, LabelQueue.TaskInfo> taskById, Instant now) {
        List<String[]> peerPairs = new ArrayList<>();
        List<List<String>> sharedItems = new ArrayList<>();
        List<String[]> aiPairs = new ArrayList<>();
        TreeSet<String> peers = new TreeSet<>();
        for (StoredLabel l : mine) {
            List<StoredLabel> all = byTask.get(l.escalationId());
            if (all.size() >= 2) {
                sharedItems.add(all.stream().map(StoredLabel::choice).toList());
            }
            for (StoredLabel other : all) {
                if (!other.annotatorId().equals(annotator)) {
                    peerPairs.add(new String[]{l.choice(), other.choice()});
                    peers.add(other.annotatorId());
                }
            }
            LabelQueue.TaskInfo t = taskById.get(l.escalationId());
            if (t != null && "AUDIT".equals(t.reason()) && t.aiVerdict() != null) {
                aiPairs.add(new String[]{l.choice(), t.aiVerdict()});
            }
        }
        long hourAgo = now.minus(Duration.ofHours(1)).toEpochMilli();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("annotator_id", annotator);
        r.put("simulated", mine.stream().anyMatch(l -> "SIMULATED".equals(l.source())));
        r.put("labels", mine.size());
        r.put("labels_last_hour", mine.stream().filter(l -> l.createdAt() >= hourAgo).count());
        r.put("median_time_ms", median(mine.stream().map(StoredLabel::timeSpentMs).toList()));
        r.put("shared_tasks", sharedItems.size());
        r.put("peers", peers.size());
        r.put("peer_agreement", Agreement.rate(peerPairs));
        r.put("cohen_kappa_vs_peers", Agreement.cohen(peerPairs));
        r.put("fleiss_kappa_on_shared", Agreement.fleiss(sharedItems));
        r.put("audit_labels", aiPairs.size());
        r.put("ai_agreement_on_audits", Agreement.rate(aiPairs));
        r.put("ai_kappa_on_audits", Agreement.cohen(aiPairs));
        return r;
    }

    private static Long median(List<Long> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
