package dev.rlaif.router.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The judge's quality per judge model and prompt version, free of Kafka: fed with judgments and with human labels
 * scored against the AI verdict, it gives
 * <ul>
 *   <li>position-inconsistency rate: share of judgments with an A/B/TIE verdict whose AB and BA halves disagree;</li>
 *   <li>votes per pair: mean samples drawn (adaptive sampling makes this vary);</li>
 *   <li>agreement with humans on audited pairs (the unbiased sample: audits are drawn by hash among confident pairs)
 *       with a 95% Wilson interval;</li>
 *   <li>calibration: ECE over equal-width confidence buckets on every human-labelled pair (audits and
 *       low-confidence escalations), where a judgment of confidence c predicts agreement (1 + c) / 2 (confidence
 *       is 2 P(verdict side) - 1);</li>
 *   <li>an alarm when the audit agreement falls below the floor once at least {@code minAudits} audits are in.</li>
 * </ul>
 * Not thread-safe; one instance per reader.
 */
public final class JudgeQuality {

    /** Judge model and prompt version. */
    public record Key(String judgeModel, String promptVersion) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = judgeModel.compareTo(o.judgeModel);
            return c != 0 ? c : promptVersion.compareTo(o.promptVersion);
        }
    }

    /**
     * One key's figures.
     *
     * @param ece NaN without human labels
     */
    public record Summary(Key key, long judgments, double inconsistencyRate, double votesPerPair, long audits,
                          double auditAgreement, double auditLow, double auditHigh, long labelled, double ece,
                          boolean alarm) {
    }

    /** One key's running counts (public fields: the router keeps them as JSON in its store {@code router-quality}). */
    public static final class Counts {
        public long judgments;
        public long inconsistent;
        public long samples;
        public long audits;
        public long auditAgree;
        public long[] bucketN;
        public long[] bucketAgree;
        public double[] bucketPredicted;

        public Counts() {
        }

        Counts(int buckets) {
            bucketN = new long[buckets];
            bucketAgree = new long[buckets];
            bucketPredicted = new double[buckets];
        }
    }

    private final int buckets;
    private final double floor;
    private final int minAudits;
    private final Map<Key, Counts> byKey = new TreeMap<>();

    /**
     * @param buckets   confidence buckets of the ECE
     * @param floor     audit agreement below which the alarm is raised
     * @param minAudits audits needed before the alarm may be raised
     */
    public JudgeQuality(int buckets, double floor, int minAudits) {
        if (buckets < 1 || floor < 0 || floor > 1 || minAudits < 1) {
            throw new IllegalArgumentException("need buckets >= 1, floor in [0, 1], minAudits >= 1");
        }
        this.buckets = buckets;
        this.floor = floor;
        this.minAudits = minAudits;
    }

    /** A judgment with a usable verdict (A, B or TIE). */
    public void judgment(Key key, boolean positionConsistent, int samplesDrawn) {
        Counts a = acc(key);
        a.judgments++;
        a.inconsistent += positionConsistent ? 0 : 1;
        a.samples += samplesDrawn;
    }

    /** A human label of a pair the AI judged with this confidence; {@code audit} when the pair was an audit. */
    public void humanLabel(Key key, double confidence, boolean agreed, boolean audit) {
        Counts a = acc(key);
        if (audit) {
            a.audits++;
            a.auditAgree += agreed ? 1 : 0;
        }
        double c = Double.isNaN(confidence) ? 0 : Math.max(0, Math.min(1, confidence));
        int b = Math.min(buckets - 1, (int) (c * buckets));
        a.bucketN[b]++;
        a.bucketAgree[b] += agreed ? 1 : 0;
        a.bucketPredicted[b] += (1 + c) / 2;
    }

    /** The running counts of a key (created empty when new). */
    public Counts counts(Key key) {
        return acc(key);
    }

    /** Puts back counts kept elsewhere (a restart); counts of another bucket count are ignored. */
    public void restore(Key key, Counts counts) {
        if (counts != null && counts.bucketN != null && counts.bucketN.length == buckets) {
            byKey.put(key, counts);
        }
    }

    /** The summary of one key. */
    public Summary summary(Key key) {
        return summary(key, acc(key));
    }

    public List<Summary> summaries() {
        List<Summary> out = new ArrayList<>();
        byKey.forEach((k, a) -> out.add(summary(k, a)));
        return out;
    }

    private Summary summary(Key k, Counts a) {
        double agreement = a.audits == 0 ? Double.NaN : a.auditAgree / (double) a.audits;
        double[] ci = wilson(a.auditAgree, a.audits);
        long labelled = 0;
        double gap = 0;
        for (int b = 0; b < buckets; b++) {
            labelled += a.bucketN[b];
            if (a.bucketN[b] > 0) {
                gap += Math.abs(a.bucketAgree[b] - a.bucketPredicted[b]);    // n_b * |acc_b - conf_b|
            }
        }
        double ece = labelled == 0 ? Double.NaN : gap / labelled;
        boolean alarm = a.audits >= minAudits && agreement < floor;
        return new Summary(k, a.judgments, a.judgments == 0 ? Double.NaN : a.inconsistent / (double) a.judgments,
                a.judgments == 0 ? Double.NaN : a.samples / (double) a.judgments, a.audits, agreement, ci[0], ci[1],
                labelled, ece, alarm);
    }

    private Counts acc(Key key) {
        return byKey.computeIfAbsent(key, k -> new Counts(buckets));
    }

    /** 95% Wilson score interval of k successes in n ([0, 1] for n = 0). */
    public static double[] wilson(long k, long n) {
        return dev.rlaif.common.stats.Wilson.of(k, n);
    }
}
