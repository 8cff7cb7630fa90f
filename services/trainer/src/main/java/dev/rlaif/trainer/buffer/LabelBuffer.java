package dev.rlaif.trainer.buffer;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.train.SourceWeights;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer's view of the {@code preferences} topic: the latest label of every pair (a higher label_version
 * replaces a lower one, an older or equal one is ignored), split into the gold set (human-labeled pairs whose
 * pair-id hash falls under the holdout share: never trained on) and the replay buffer of trainable pairs (the
 * most recent {@code replayMax}). Ties carry no winner and are neither trained on nor evaluated.
 *
 * <p>It also tracks what the next round must cover: consumed offsets per partition and how many trainable labels
 * arrived since the last round, with the arrival time of the oldest. Not thread-safe: the trainer's loop owns it.
 */
public final class LabelBuffer {

    private final double holdoutShare;
    private final int replayMax;
    private final Map<String, PreferenceLabel> latest = new HashMap<>();
    private final LinkedHashMap<String, LabeledPair> trainable = new LinkedHashMap<>();
    private final LinkedHashMap<String, LabeledPair> gold = new LinkedHashMap<>();
    private final Map<Integer, Long> offsets = new HashMap<>();
    private int pending;
    private long oldestPendingMs = -1;

    public LabelBuffer(double holdoutShare, int replayMax) {
        this.holdoutShare = holdoutShare;
        this.replayMax = replayMax;
    }

    /** Whether a pair's labels go to the gold set when humans labeled it. */
    public boolean goldPair(String pairId) {
        return PairIds.unitHash(pairId) < holdoutShare;
    }

    /**
     * Takes one record.
     *
     * @param fresh whether it counts as pending (false while replaying what the last version already covered)
     * @return true when the buffer changed
     */
    public boolean add(int partition, long offset, PreferenceLabel label, boolean fresh, long nowMs) {
        offsets.merge(partition, offset + 1, Math::max);
        if (label == null) {
            return false;
        }
        PreferenceLabel prev = latest.get(label.getPairId());
        if (prev != null && prev.getLabelVersion() >= label.getLabelVersion()) {
            return false;
        }
        latest.put(label.getPairId(), label);
        String id = label.getPairId();
        trainable.remove(id);
        gold.remove(id);
        if (label.getTie()) {
            return true;
        }
        LabeledPair pair = toPair(label);
        if (human(label.getSource()) && goldPair(id)) {
            gold.put(id, pair);
            return true;
        }
        if (!human(label.getSource()) && goldPair(id) && prev != null && human(prev.getSource())) {
            // an AI relabel of a gold pair: keep the pair out of training altogether
            return true;
        }
        trainable.put(id, pair);
        while (trainable.size() > replayMax) {
            trainable.remove(trainable.keySet().iterator().next());
        }
        if (fresh) {
            if (pending == 0) {
                oldestPendingMs = nowMs;
            }
            pending++;
        }
        return true;
    }

    private static boolean human(PreferenceSource s) {
        return s == PreferenceSource.HUMAN || s == PreferenceSource.AI_HUMAN;
    }

    static LabeledPair toPair(PreferenceLabel l) {
        return new LabeledPair(l.getPairId(), l.getPrompt(), l.getChosen().getResponse(), l.getRejected().getResponse(),
                l.getChosen().getCritique(), l.getRejected().getCritique(),
                SourceWeights.weight(l.getSource(), l.getAiConfidence()));
    }

    public List<LabeledPair> trainable() {
        return new ArrayList<>(trainable.values());
    }

    public List<LabeledPair> gold() {
        return new ArrayList<>(gold.values());
    }

    public int pending() {
        return pending;
    }

    public long oldestPendingMs() {
        return oldestPendingMs;
    }

    /** Offsets consumed so far, "partition" -> next offset. */
    public Map<String, Long> offsets() {
        Map<String, Long> m = new LinkedHashMap<>();
        offsets.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> m.put(Integer.toString(e.getKey()), e.getValue()));
        return m;
    }

    /** A round has taken everything pending. */
    public void roundDone() {
        pending = 0;
        oldestPendingMs = -1;
    }
}
