package dev.rlaif.labeling.queue;

import dev.rlaif.common.pair.PairIds;
import dev.rlaif.labeling.gold.GoldItem;
import dev.rlaif.labeling.gold.GoldPolicy;
import dev.rlaif.labeling.gold.GoldScore;
import dev.rlaif.labeling.gold.GoldTasks;
import dev.rlaif.labeling.store.StoredGold;
import dev.rlaif.labeling.store.StoredLabel;
import dev.rlaif.labeling.store.StoredLease;
import dev.rlaif.labeling.store.StoredTask;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.Verdict;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * The human labeling queue: hands tasks out under leases, takes labels back, and keeps every change in the
 * {@link TaskDatabase} before it answers. The in-memory view (open tasks by priority, leases, who labeled or
 * skipped what) is rebuilt from the database at start, so a restart loses no task, lease or label.
 *
 * <p>Rules: a task goes to an annotator who has neither labeled nor skipped it, only while its labels plus live
 * leases are fewer than it wants (so never to more annotators than its overlap), and not before its
 * {@code not_before}. An expired lease frees its slot. A label on an expired or released lease is still accepted
 * when the slot is free, else rejected. A repeated label_id answers the stored label. Every operation runs under one
 * lock, short (one small database transaction), which makes the overlap rule hold under any concurrency.
 *
 * <p>Gold items (optional, {@link GoldPolicy}): at a new lease, with the configured probability, a gold item this
 * annotator was never served stands in for the real task that was due. It is served, leased, skipped and submitted
 * exactly like a task (same fields, id shapes, lease), but its answer is scored against the known one and stored in
 * {@code gold_serves} only: it is never a label, so it never reaches {@link #unpublished()} or a topic.
 */
public final class LabelQueue {

    private static final Comparator<Task> BY_PRIORITY =
            Comparator.comparingDouble((Task t) -> -t.meta.priority()).thenComparingLong(t -> t.meta.seq());

    private final TaskDatabase db;
    private final Duration leaseTimeout;
    private final BiFunction<EscalationReason, Integer, Integer> labelsWanted;
    private final ReentrantLock lock = new ReentrantLock();
    private final GoldPolicy gold;
    private final Map<String, StoredGold> goldByLease = new HashMap<>();
    private final Map<String, StoredGold> goldByLabel = new HashMap<>();
    private final Map<String, StoredGold> goldByEscalation = new HashMap<>();
    private final Map<String, Set<String>> goldServedTo = new HashMap<>();
    private final Map<String, GoldScore> goldScores = new LinkedHashMap<>();
    private final Map<String, Integer> openByReason = new HashMap<>();

    private final Map<String, Task> tasks = new HashMap<>();
    private final TreeSet<Task> open = new TreeSet<>(BY_PRIORITY);
    private final Map<String, StoredLease> leases = new HashMap<>();
    private final Map<String, String> currentLease = new HashMap<>();
    private final Map<String, StoredLabel> labels = new LinkedHashMap<>();
    private final Set<String> unpublished = new HashSet<>();
    private final Map<String, Integer> labelsByAnnotator = new HashMap<>();
    private final Set<String> publishedPending = new HashSet<>();
    private final Map<Integer, Long> publishedOffsetsPending = new HashMap<>();
    /** The labels topic (one per service); set by the first acknowledgement. */
    private String publishedTopic = "human-labels";
    private long nextSeq;

    /** One escalation and who has worked on it. */
    static final class Task {
        final StoredTask meta;
        final EscalationRequest request;
        final Set<String> labeledBy = new HashSet<>();
        final Set<String> skippedBy = new HashSet<>();
        final Map<String, StoredLease> live = new HashMap<>();

        Task(StoredTask meta, EscalationRequest request) {
            this.meta = meta;
            this.request = request;
        }

        /** Drops expired leases; returns the number of live ones. */
        int liveLeases(long now) {
            live.values().removeIf(l -> l.expiresAt() <= now);
            return live.size();
        }

        boolean done() {
            return labeledBy.size() >= meta.labelsWanted();
        }
    }

    /**
     * @param labelsWanted maps (reason, requested labels_wanted) to the overlap the task gets
     */
    public LabelQueue(TaskDatabase db, Duration leaseTimeout, BiFunction<EscalationReason, Integer, Integer> labelsWanted) {
        this(db, leaseTimeout, labelsWanted, null);
    }

    /**
     * @param gold gold items and their rate, or null for none (gold served before stays scored either way)
     */
    public LabelQueue(TaskDatabase db, Duration leaseTimeout, BiFunction<EscalationReason, Integer, Integer> labelsWanted,
                      GoldPolicy gold) {
        this.db = db;
        this.gold = gold;
        this.leaseTimeout = leaseTimeout;
        this.labelsWanted = labelsWanted;
        TaskDatabase.Snapshot s = db.load();
        for (StoredTask t : s.tasks()) {
            Task task = new Task(t, decode(t.request()));
            tasks.put(t.escalationId(), task);
            nextSeq = Math.max(nextSeq, t.seq() + 1);
        }
        for (StoredLabel l : s.labels()) {
            labels.put(l.labelId(), l);
            labelsByAnnotator.merge(l.annotatorId(), 1, Integer::sum);
            if (!l.published()) {
                unpublished.add(l.labelId());
            }
            Task t = tasks.get(l.escalationId());
            if (t != null) {
                t.labeledBy.add(l.annotatorId());
            }
        }
        for (String[] skip : s.skips()) {
            Task t = tasks.get(skip[0]);
            if (t != null) {
                t.skippedBy.add(skip[1]);
            }
        }
        // Expiry is judged when a lease is used, against the caller's clock; here every active lease is restored.
        for (StoredLease l : s.leases()) {
            leases.put(l.leaseId(), l);
            Task t = tasks.get(l.escalationId());
            if (TaskDatabase.ACTIVE.equals(l.state()) && t != null && !t.done()) {
                t.live.put(l.annotatorId(), l);
                currentLease.put(l.annotatorId(), l.leaseId());
            }
        }
        for (Task t : tasks.values()) {
            if (!t.done()) {
                addOpen(t);
            }
        }
        for (StoredGold g : db.loadGold()) {
            indexGold(g);
            if (g.isAnswered()) {
                labelsByAnnotator.merge(g.annotatorId(), 1, Integer::sum);
                goldScores.merge(g.annotatorId(), new GoldScore(g.annotatorId(), 1, g.correct() ? 1 : 0),
                        (a, b) -> new GoldScore(a.annotatorId(), a.answered() + 1, a.correct() + b.correct()));
            } else if (TaskDatabase.ACTIVE.equals(g.state())) {
                currentLease.put(g.annotatorId(), g.leaseId());
            }
        }
    }

    private void indexGold(StoredGold g) {
        goldByLease.put(g.leaseId(), g);
        goldByEscalation.put(g.escalationId(), g);
        if (g.labelId() != null) {
            goldByLabel.put(g.labelId(), g);
        }
        goldServedTo.computeIfAbsent(g.annotatorId(), k -> new HashSet<>()).add(g.goldId());
    }

    private void addOpen(Task t) {
        if (open.add(t)) {
            openByReason.merge(t.meta.reason(), 1, Integer::sum);
        }
    }

    private void removeOpen(Task t) {
        if (open.remove(t)) {
            openByReason.merge(t.meta.reason(), -1, Integer::sum);
        }
    }

    /**
     * Stores new escalations and the offsets after them in one transaction; an escalation id already stored is
     * ignored. Returns how many were new.
     */
    public int ingest(List<EscalationRequest> requests, String topic, Map<Integer, Long> nextOffsets) {
        lock.lock();
        try {
            Map<String, Task> fresh = new LinkedHashMap<>();
            for (EscalationRequest r : requests) {
                if (tasks.containsKey(r.getEscalationId()) || fresh.containsKey(r.getEscalationId())) {
                    continue;
                }
                Verdict v = r.getJudgment() == null ? null : r.getJudgment().getVerdict();
                String ai = v == Verdict.A || v == Verdict.B || v == Verdict.TIE ? v.name() : null;
                StoredTask meta = new StoredTask(r.getEscalationId(), nextSeq++, r.getPairId(), r.getReason().name(),
                        r.getPriority(), labelsWanted.apply(r.getReason(), r.getLabelsWanted()),
                        r.getNotBefore() == null ? null : r.getNotBefore().toEpochMilli(),
                        r.getCreatedAt().toEpochMilli(), ai, encode(r));
                fresh.put(r.getEscalationId(), new Task(meta, r));
            }
            db.ingest(fresh.values().stream().map(t -> t.meta).toList(), topic, nextOffsets);
            for (Task t : fresh.values()) {
                tasks.put(t.meta.escalationId(), t);
                addOpen(t);
            }
            return fresh.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The highest-priority task this annotator may label, under a new lease; the annotator's live lease if it
     * already holds one (a reloaded page gets the same task back). Empty when nothing is available.
     */
    public Optional<Assignment> next(String annotatorId, Instant now) {
        long mark = -1;
        Optional<Assignment> result;
        lock.lock();
        try {
            result = nextLocked(annotatorId, now);
            if (result.isPresent()) {
                mark = db.commitMark();
            }
        } finally {
            lock.unlock();
        }
        if (mark >= 0) {
            db.awaitDurable(mark);
        }
        return result;
    }

    /** Caller holds the lock. */
    private Optional<Assignment> nextLocked(String annotatorId, Instant now) {
        long t0 = now.toEpochMilli();
        String held = currentLease.get(annotatorId);
        StoredGold heldGold = held == null ? null : goldByLease.get(held);
        if (heldGold != null) {
            if (TaskDatabase.ACTIVE.equals(heldGold.state()) && heldGold.expiresAt() > t0) {
                return Optional.of(goldAssignment(heldGold));
            }
            currentLease.remove(annotatorId);
            held = null;
        }
        if (held != null) {
            StoredLease l = leases.get(held);
            Task t = tasks.get(l.escalationId());
            if (TaskDatabase.ACTIVE.equals(l.state()) && l.expiresAt() > t0 && !t.done()) {
                return Optional.of(assignment(l, t));
            }
            currentLease.remove(annotatorId);
        }
        for (Task t : open) {
            if (t.meta.notBefore() != null && t.meta.notBefore() > t0) {
                continue;
            }
            if (t.labeledBy.contains(annotatorId) || t.skippedBy.contains(annotatorId)) {
                continue;
            }
            if (t.labeledBy.size() + t.liveLeases(t0) >= t.meta.labelsWanted() || t.live.containsKey(annotatorId)) {
                continue;
            }
            // Time-ordered ids: new leases append to the end of the store's index instead of dirtying random pages.
            String leaseId = String.format("%012x-%s", t0, UUID.randomUUID().toString().substring(0, 18));
            if (gold != null && gold.canStandIn().test(t.request) && gold.draw()) {
                Optional<GoldItem> item = unservedGold(annotatorId);
                if (item.isPresent()) {
                    return Optional.of(serveGold(item.get(), t, annotatorId, leaseId, t0));
                }
            }
            String order = PairIds.unitHash(annotatorId + "|" + t.meta.escalationId()) < 0.5 ? "AB" : "BA";
            StoredLease l = new StoredLease(leaseId, t.meta.escalationId(), annotatorId, order,
                    t0, t0 + leaseTimeout.toMillis(), TaskDatabase.ACTIVE);
            db.insertLease(l);
            leases.put(l.leaseId(), l);
            t.live.put(annotatorId, l);
            currentLease.put(annotatorId, l.leaseId());
            return Optional.of(assignment(l, t));
        }
        return Optional.empty();
    }

    private static Assignment assignment(StoredLease l, Task t) {
        return new Assignment(l, t.request, t.meta.labelsWanted(), t.labeledBy.size());
    }

    private static Assignment goldAssignment(StoredGold g) {
        EscalationRequest r = decode(g.request());
        return new Assignment(g.lease(), r, r.getLabelsWanted(), g.labelsDone());
    }

    /** A gold item this annotator was never served, picked at random; empty when all were served. Caller holds the lock. */
    private Optional<GoldItem> unservedGold(String annotatorId) {
        Set<String> served = goldServedTo.getOrDefault(annotatorId, Set.of());
        List<GoldItem> items = gold.items();
        int start = gold.random().nextInt(items.size());
        for (int i = 0; i < items.size(); i++) {
            GoldItem item = items.get((start + i) % items.size());
            if (!served.contains(item.goldId())) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    /** Serves a gold item in the place of {@code standIn}, shown as that task would be. Caller holds the lock. */
    private Assignment serveGold(GoldItem item, Task standIn, String annotatorId, String leaseId, long t0) {
        GoldTasks.Served served = GoldTasks.build(item, standIn.request, standIn.meta.labelsWanted(),
                Instant.ofEpochMilli(t0), gold.random());
        String escalationId = served.request().getEscalationId();
        String order = PairIds.unitHash(annotatorId + "|" + escalationId) < 0.5 ? "AB" : "BA";
        StoredGold g = new StoredGold(escalationId, item.goldId(), annotatorId, leaseId, order, t0,
                t0 + leaseTimeout.toMillis(), TaskDatabase.ACTIVE, served.betterSide(), standIn.labeledBy.size(),
                encode(served.request()), null, null, null, null, null, 0, null);
        db.saveGold(g);
        indexGold(g);
        currentLease.put(annotatorId, leaseId);
        return goldAssignment(g);
    }

    /**
     * Takes a label. {@code shownChoice} is in the terms the annotator saw (A = left); the stored label is mapped
     * back to the pair's own A/B through the lease's order. The label is stored unpublished: the caller publishes it
     * and then calls {@link #markPublished}.
     */
    public SubmitResult submit(String annotatorId, boolean simulated, String leaseId, String labelId, Choice shownChoice,
                               String rationale, long timeSpentMs, Instant now) {
        long mark;
        SubmitResult r;
        lock.lock();
        try {
            r = submitLocked(annotatorId, simulated, leaseId, labelId, shownChoice, rationale, timeSpentMs, now);
            mark = db.commitMark();
        } finally {
            lock.unlock();
        }
        if (r.stored()) {
            // A duplicate may answer a label whose first submission is still waiting for the disk: wait as well.
            db.awaitDurable(mark);
        }
        return r;
    }

    /** Caller holds the lock. */
    private SubmitResult submitLocked(String annotatorId, boolean simulated, String leaseId, String labelId, Choice shownChoice,
                                      String rationale, long timeSpentMs, Instant now) {
        long t0 = now.toEpochMilli();
        StoredGold goldLabel = goldByLabel.get(labelId);
        if (goldLabel != null) {
            if (goldLabel.annotatorId().equals(annotatorId) && goldLabel.leaseId().equals(leaseId)) {
                return SubmitResult.gold(SubmitResult.Status.DUPLICATE, goldLabel(goldLabel), "already recorded");
            }
            return SubmitResult.reject(SubmitResult.Status.CONFLICT,
                    "label_id " + labelId + " is already used by another label: send a fresh label_id");
        }
        StoredLabel existing = labels.get(labelId);
        if (existing != null) {
            if (existing.annotatorId().equals(annotatorId) && existing.leaseId().equals(leaseId)) {
                return new SubmitResult(SubmitResult.Status.DUPLICATE, existing, "already recorded");
            }
            return SubmitResult.reject(SubmitResult.Status.CONFLICT,
                    "label_id " + labelId + " is already used by another label: send a fresh label_id");
        }
        StoredGold goldLease = goldByLease.get(leaseId);
        if (goldLease != null) {
            return submitGold(goldLease, annotatorId, simulated, labelId, shownChoice, timeSpentMs, t0);
        }
        StoredLease lease = leases.get(leaseId);
        if (lease == null) {
            return SubmitResult.reject(SubmitResult.Status.NOT_FOUND, "no lease " + leaseId);
        }
        if (!lease.annotatorId().equals(annotatorId)) {
            return SubmitResult.reject(SubmitResult.Status.FORBIDDEN, "lease " + leaseId + " belongs to another annotator");
        }
        Task task = tasks.get(lease.escalationId());
        if (TaskDatabase.SUBMITTED.equals(lease.state()) || task.labeledBy.contains(annotatorId)) {
            return SubmitResult.reject(SubmitResult.Status.CONFLICT,
                    "you already labeled this task (with another label_id); the first label stands");
        }
        boolean live = TaskDatabase.ACTIVE.equals(lease.state()) && lease.expiresAt() > t0;
        if (!live) {
            task.liveLeases(t0);
            int othersLive = task.live.size() - (task.live.containsKey(annotatorId) ? 1 : 0);
            if (task.labeledBy.size() + othersLive >= task.meta.labelsWanted()) {
                return SubmitResult.reject(SubmitResult.Status.CONFLICT,
                        "your lease expired and the slot was taken by another annotator: label not recorded");
            }
        }
        Choice choice = pairChoice(lease.order(), shownChoice);
        StoredLabel label = new StoredLabel(labelId, task.meta.escalationId(), task.meta.pairId(), annotatorId,
                choice.name(), shownChoice.name(), rationale, simulated ? "SIMULATED" : "ANNOTATOR",
                Math.max(0, timeSpentMs), t0, leaseId, false);
        db.insertLabel(label);
        labels.put(labelId, label);
        labelsByAnnotator.merge(annotatorId, 1, Integer::sum);
        unpublished.add(labelId);
        leases.put(leaseId, lease.withState(TaskDatabase.SUBMITTED));
        task.live.remove(annotatorId);
        task.labeledBy.add(annotatorId);
        task.skippedBy.remove(annotatorId);
        if (leaseId.equals(currentLease.get(annotatorId))) {
            currentLease.remove(annotatorId);
        }
        if (task.done()) {
            removeOpen(task);
        }
        return new SubmitResult(live ? SubmitResult.Status.ACCEPTED : SubmitResult.Status.ACCEPTED_LATE, label,
                live ? "recorded" : "recorded although your lease had expired: the slot was still free");
    }

    /** The choice in the pair's own A/B terms, from the shown one (A = left) and the shown order. */
    static Choice pairChoice(String order, Choice shownChoice) {
        return "AB".equals(order) || shownChoice == Choice.TIE ? shownChoice
                : shownChoice == Choice.A ? Choice.B : Choice.A;
    }

    /**
     * An answer on a gold item: answered with the same statuses and messages as a label (the first answer stands, a
     * late one is taken, the same label_id is a duplicate), scored, stored in {@code gold_serves}, never published.
     * Caller holds the lock.
     */
    private SubmitResult submitGold(StoredGold g, String annotatorId, boolean simulated, String labelId,
                                    Choice shownChoice, long timeSpentMs, long t0) {
        if (!g.annotatorId().equals(annotatorId)) {
            return SubmitResult.reject(SubmitResult.Status.FORBIDDEN, "lease " + g.leaseId() + " belongs to another annotator");
        }
        if (g.isAnswered()) {
            return SubmitResult.reject(SubmitResult.Status.CONFLICT,
                    "you already labeled this task (with another label_id); the first label stands");
        }
        boolean live = TaskDatabase.ACTIVE.equals(g.state()) && g.expiresAt() > t0;
        Choice choice = pairChoice(g.order(), shownChoice);
        boolean right = GoldScore.isCorrect(choice.name(), g.betterSide());
        StoredGold answered = g.answered(labelId, shownChoice.name(), choice.name(), right, t0, Math.max(0, timeSpentMs),
                simulated ? "SIMULATED" : "ANNOTATOR");
        db.saveGold(answered);
        indexGold(answered);
        labelsByAnnotator.merge(annotatorId, 1, Integer::sum);
        goldScores.merge(annotatorId, new GoldScore(annotatorId, 1, right ? 1 : 0),
                (a, b) -> new GoldScore(a.annotatorId(), a.answered() + 1, a.correct() + b.correct()));
        if (g.leaseId().equals(currentLease.get(annotatorId))) {
            currentLease.remove(annotatorId);
        }
        return SubmitResult.gold(live ? SubmitResult.Status.ACCEPTED : SubmitResult.Status.ACCEPTED_LATE, goldLabel(answered),
                live ? "recorded" : "recorded although your lease had expired: the slot was still free");
    }

    /** The label-shaped view of a gold answer, for the submit answer only; it is never stored as a label. */
    private static StoredLabel goldLabel(StoredGold g) {
        return new StoredLabel(g.labelId(), g.escalationId(), decode(g.request()).getPairId(), g.annotatorId(), g.choice(),
                g.shownChoice(), null, g.source(), g.timeSpentMs(), g.answeredAt(), g.leaseId(), false);
    }

    /** Passes a leased task on: it goes to others, never again to this annotator. */
    public LeaseResult skip(String annotatorId, String leaseId, Instant now) {
        return endLease(annotatorId, leaseId, TaskDatabase.SKIPPED, now);
    }

    /** Hands a leased task back to the queue (this annotator may get it again later). */
    public LeaseResult release(String annotatorId, String leaseId, Instant now) {
        return endLease(annotatorId, leaseId, TaskDatabase.RELEASED, now);
    }

    private LeaseResult endLease(String annotatorId, String leaseId, String state, Instant now) {
        long mark;
        LeaseResult r;
        lock.lock();
        try {
            r = endLeaseLocked(annotatorId, leaseId, state, now);
            mark = db.commitMark();
        } finally {
            lock.unlock();
        }
        if (r == LeaseResult.OK) {
            db.awaitDurable(mark);
        }
        return r;
    }

    /** Caller holds the lock. */
    private LeaseResult endLeaseLocked(String annotatorId, String leaseId, String state, Instant now) {
        StoredGold g = goldByLease.get(leaseId);
        if (g != null) {
            return endGoldLease(g, annotatorId, state, now);
        }
        StoredLease lease = leases.get(leaseId);
        if (lease == null) {
            return LeaseResult.NOT_FOUND;
        }
        if (!lease.annotatorId().equals(annotatorId)) {
            return LeaseResult.FORBIDDEN;
        }
        Task task = tasks.get(lease.escalationId());
        boolean skip = TaskDatabase.SKIPPED.equals(state);
        if (!TaskDatabase.ACTIVE.equals(lease.state())) {
            // A skip after the lease ended still records that this annotator passes on the task.
            if (skip && !TaskDatabase.SUBMITTED.equals(lease.state()) && !task.skippedBy.contains(annotatorId)) {
                db.endLease(leaseId, lease.state(), lease.escalationId(), annotatorId, now.toEpochMilli());
                task.skippedBy.add(annotatorId);
                return LeaseResult.OK;
            }
            return LeaseResult.NOT_ACTIVE;
        }
        db.endLease(leaseId, state, skip ? lease.escalationId() : null, annotatorId, now.toEpochMilli());
        leases.put(leaseId, lease.withState(state));
        task.live.remove(annotatorId, lease);
        if (skip) {
            task.skippedBy.add(annotatorId);
        }
        if (leaseId.equals(currentLease.get(annotatorId))) {
            currentLease.remove(annotatorId);
        }
        return LeaseResult.OK;
    }

    /** Ends a gold lease as a task's would end (the item is not served to this annotator again either way). */
    private LeaseResult endGoldLease(StoredGold g, String annotatorId, String state, Instant now) {
        if (!g.annotatorId().equals(annotatorId)) {
            return LeaseResult.FORBIDDEN;
        }
        boolean skip = TaskDatabase.SKIPPED.equals(state);
        boolean active = TaskDatabase.ACTIVE.equals(g.state());
        if (!active && !(skip && !g.isAnswered() && !TaskDatabase.SKIPPED.equals(g.state()))) {
            return LeaseResult.NOT_ACTIVE;
        }
        StoredGold ended = g.withState(state);
        db.saveGold(ended);
        indexGold(ended);
        if (g.leaseId().equals(currentLease.get(annotatorId))) {
            currentLease.remove(annotatorId);
        }
        return LeaseResult.OK;
    }

    /**
     * Records that {@code human-labels} acknowledged these labels, at these next offsets per partition. The memory
     * view changes at once; the database row is updated by {@link #flushPublished()} (batched), because losing that
     * update is harmless: at start the outbox recovery finds the label on the topic and does not send it again.
     */
    public void markPublished(Collection<String> labelIds, String topic, Map<Integer, Long> nextOffsets) {
        lock.lock();
        try {
            for (String id : labelIds) {
                StoredLabel l = labels.get(id);
                if (l != null) {
                    labels.put(id, l.asPublished());
                }
                unpublished.remove(id);
                publishedPending.add(id);
            }
            publishedTopic = topic;
            nextOffsets.forEach((p, o) -> publishedOffsetsPending.merge(p, o, Math::max));
        } finally {
            lock.unlock();
        }
    }

    /** Writes the pending "published" marks to the database in one transaction. */
    public void flushPublished() {
        lock.lock();
        try {
            if (publishedPending.isEmpty()) {
                return;
            }
            db.markPublished(publishedPending, publishedTopic, publishedOffsetsPending);
            publishedPending.clear();
            publishedOffsetsPending.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Stored labels that {@code human-labels} has not acknowledged yet. */
    public List<StoredLabel> unpublished() {
        lock.lock();
        try {
            return unpublished.stream().map(labels::get).sorted(Comparator.comparingLong(StoredLabel::createdAt)).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code human-labels} acknowledged this label. */
    public boolean isPublished(String labelId) {
        lock.lock();
        try {
            return labels.containsKey(labelId) && !unpublished.contains(labelId);
        } finally {
            lock.unlock();
        }
    }

    /** Labels this annotator gave so far. */
    public int labelCount(String annotatorId) {
        lock.lock();
        try {
            return labelsByAnnotator.getOrDefault(annotatorId, 0);
        } finally {
            lock.unlock();
        }
    }

    /** Tasks of this reason still wanting labels (due or deferred). */
    public int openCount(EscalationReason reason) {
        lock.lock();
        try {
            return openByReason.getOrDefault(reason.name(), 0);
        } finally {
            lock.unlock();
        }
    }

    /**
     * SIMULATION ONLY: the known answer (pair terms) of a served gold item, so that the demo's simulated annotators
     * answer gold as they answer tasks, with their error rate. Never exposed over HTTP.
     */
    public Optional<Choice> goldAnswer(String escalationId) {
        lock.lock();
        try {
            return Optional.ofNullable(goldByEscalation.get(escalationId)).map(g -> Choice.valueOf(g.betterSide()));
        } finally {
            lock.unlock();
        }
    }

    /** Gold answers per annotator (annotators that answered at least one). */
    public List<GoldScore> goldScores() {
        lock.lock();
        try {
            return List.copyOf(goldScores.values());
        } finally {
            lock.unlock();
        }
    }

    /** This annotator's gold answers so far. */
    public GoldScore goldScore(String annotatorId) {
        lock.lock();
        try {
            return goldScores.getOrDefault(annotatorId, new GoldScore(annotatorId, 0, 0));
        } finally {
            lock.unlock();
        }
    }

    /** Gold items served so far (answered or not). */
    public int goldServed() {
        lock.lock();
        try {
            return goldByLease.size();
        } finally {
            lock.unlock();
        }
    }

    /** Tasks still wanting labels (due or deferred). */
    public int openCount() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }

    public int unpublishedCount() {
        lock.lock();
        try {
            return unpublished.size();
        } finally {
            lock.unlock();
        }
    }

    /** The escalation of a task (the simulation looks up the pair here); a gold item's too. */
    public Optional<EscalationRequest> request(String escalationId) {
        lock.lock();
        try {
            StoredGold g = goldByEscalation.get(escalationId);
            if (g != null) {
                return Optional.of(decode(g.request()));
            }
            return Optional.ofNullable(tasks.get(escalationId)).map(t -> t.request);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether some open task that is due before {@code horizon} and still wants labels satisfies {@code test}
     * (the demo's idle check asks whether simulated annotators have work left).
     */
    public boolean anyOpen(Instant horizon, Predicate<EscalationRequest> test) {
        long h = horizon.toEpochMilli();
        lock.lock();
        try {
            for (Task t : open) {
                if ((t.meta.notBefore() == null || t.meta.notBefore() <= h) && test.test(t.request)) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Number of tasks this annotator could be handed now, counted up to {@code cap} (the progress counter shows
     * "99+"): the count walks the open tasks under the queue's lock, so it stops early on a long queue.
     */
    public int availableTo(String annotatorId, Instant now, int cap) {
        long t0 = now.toEpochMilli();
        lock.lock();
        try {
            int n = 0;
            for (Task t : open) {
                if ((t.meta.notBefore() == null || t.meta.notBefore() <= t0) && !t.labeledBy.contains(annotatorId)
                        && !t.skippedBy.contains(annotatorId)
                        && (t.live.containsKey(annotatorId) || t.labeledBy.size() + t.liveLeases(t0) < t.meta.labelsWanted())
                        && ++n >= cap) {
                    break;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** A consistent copy of what the stats need. */
    public record Snapshot(List<TaskInfo> tasks, List<StoredLabel> labels, List<StoredGold> gold, List<GoldScore> goldScores) {

        public Snapshot(List<TaskInfo> tasks, List<StoredLabel> labels) {
            this(tasks, labels, List.of(), List.of());
        }
    }

    /**
     * @param state OPEN (wants labels, due), DEFERRED (not_before in the future), LEASED (every free slot leased), DONE
     */
    public record TaskInfo(String escalationId, String reason, String state, int labelsWanted, int labelsDone,
                           int liveLeases, String aiVerdict) {
    }

    public Snapshot snapshot(Instant now) {
        long t0 = now.toEpochMilli();
        lock.lock();
        try {
            List<TaskInfo> infos = new ArrayList<>(tasks.size());
            for (Task t : tasks.values()) {
                int live = t.done() ? 0 : t.liveLeases(t0);
                String state = t.done() ? "DONE"
                        : t.meta.notBefore() != null && t.meta.notBefore() > t0 ? "DEFERRED"
                        : t.labeledBy.size() + live >= t.meta.labelsWanted() ? "LEASED" : "OPEN";
                infos.add(new TaskInfo(t.meta.escalationId(), t.meta.reason(), state, t.meta.labelsWanted(),
                        t.labeledBy.size(), live, t.meta.aiVerdict()));
            }
            return new Snapshot(infos, List.copyOf(labels.values()),
                    goldByLease.values().stream().filter(StoredGold::isAnswered).toList(), List.copyOf(goldScores.values()));
        } finally {
            lock.unlock();
        }
    }

    static byte[] encode(EscalationRequest r) {
        try {
            ByteBuffer b = r.toByteBuffer();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EscalationRequest decode(byte[] bytes) {
        try {
            return EscalationRequest.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("a stored escalation could not be decoded", e);
        }
    }
}
