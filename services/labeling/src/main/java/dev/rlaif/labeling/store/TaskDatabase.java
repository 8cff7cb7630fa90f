package dev.rlaif.labeling.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable task store: an embedded H2 database in one file on disk. It holds tasks, leases, skips, labels (with
 * their publish state), the gold items served (with their answers) and the consumed offsets of the {@code escalations} topic. Offsets are written in the same
 * transaction as the tasks they produced, so a restart seeks to exactly where the stored tasks end: no escalation is
 * lost or stored twice.
 *
 * <p>Not thread-safe by itself: {@link dev.rlaif.labeling.queue.LabelQueue} calls it under its lock, so every
 * transaction sees the queue's in-memory view and the database agree.
 */
public final class TaskDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TaskDatabase.class);

    /** The state a lease is stored in; ACTIVE leases past their expiry are expired. */
    public static final String ACTIVE = "ACTIVE";
    public static final String RELEASED = "RELEASED";
    public static final String SKIPPED = "SKIPPED";
    public static final String SUBMITTED = "SUBMITTED";

    private final Connection db;
    private final Connection flushConnection;
    private final Object flushMonitor = new Object();
    private long committed;
    private long flushed;
    private volatile boolean closed;
    private final Thread flusher;

    private TaskDatabase(Connection db, Connection flushConnection) {
        this.db = db;
        this.flushConnection = flushConnection;
        this.flusher = new Thread(this::flushLoop, "labeling-store-flush");
        this.flusher.setDaemon(true);
    }

    /** Opens (creating if needed) the database in {@code dir}; a second process on the same directory is refused. */
    public static TaskDatabase open(Path dir) {
        try {
            Files.createDirectories(dir);
            // Group commit: transactions commit in memory; the flusher thread writes all commits made so far to the
            // file in one CHECKPOINT, and a caller that must not answer before its change is on disk waits for it
            // (awaitDurable). Many concurrent annotators then share one file write instead of one each.
            String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("tasks") + ";DB_CLOSE_ON_EXIT=FALSE";
            Connection c = DriverManager.getConnection(url, "rlaif", "");
            c.setAutoCommit(false);
            Connection f = DriverManager.getConnection(url, "rlaif", "");
            TaskDatabase d = new TaskDatabase(c, f);
            d.createSchema();
            d.flusher.start();
            log.info("labeling task store open at {}", dir.toAbsolutePath());
            return d;
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the labeling task store in " + dir
                    + " (is another labeling service using it?)", e);
        }
    }

    private void createSchema() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS tasks (escalation_id VARCHAR PRIMARY KEY, seq BIGINT NOT NULL, "
                    + "pair_id VARCHAR NOT NULL, reason VARCHAR NOT NULL, priority DOUBLE PRECISION NOT NULL, "
                    + "labels_wanted INT NOT NULL, not_before BIGINT, created_at BIGINT NOT NULL, ai_verdict VARCHAR, "
                    + "request VARBINARY NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS leases (lease_id VARCHAR PRIMARY KEY, escalation_id VARCHAR NOT NULL, "
                    + "annotator_id VARCHAR NOT NULL, shown_order VARCHAR(2) NOT NULL, issued_at BIGINT NOT NULL, "
                    + "expires_at BIGINT NOT NULL, state VARCHAR(10) NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS skips (escalation_id VARCHAR NOT NULL, annotator_id VARCHAR NOT NULL, "
                    + "skipped_at BIGINT NOT NULL, PRIMARY KEY (escalation_id, annotator_id))");
            s.execute("CREATE TABLE IF NOT EXISTS labels (label_id VARCHAR PRIMARY KEY, escalation_id VARCHAR NOT NULL, "
                    + "pair_id VARCHAR NOT NULL, annotator_id VARCHAR NOT NULL, choice VARCHAR(3) NOT NULL, "
                    + "shown_choice VARCHAR(3) NOT NULL, rationale VARCHAR, source VARCHAR(10) NOT NULL, "
                    + "time_spent_ms BIGINT NOT NULL, created_at BIGINT NOT NULL, lease_id VARCHAR NOT NULL, "
                    + "published BOOLEAN NOT NULL, UNIQUE (escalation_id, annotator_id))");
            s.execute("CREATE TABLE IF NOT EXISTS consumed_offsets (topic VARCHAR NOT NULL, part INT NOT NULL, "
                    + "next_offset BIGINT NOT NULL, PRIMARY KEY (topic, part))");
            s.execute("CREATE TABLE IF NOT EXISTS published_offsets (topic VARCHAR NOT NULL, part INT NOT NULL, "
                    + "next_offset BIGINT NOT NULL, PRIMARY KEY (topic, part))");
            // Gold items served: one row per (gold item, annotator), so nobody sees the same item twice.
            s.execute("CREATE TABLE IF NOT EXISTS gold_serves (escalation_id VARCHAR PRIMARY KEY, gold_id VARCHAR NOT NULL, "
                    + "annotator_id VARCHAR NOT NULL, lease_id VARCHAR NOT NULL UNIQUE, shown_order VARCHAR(2) NOT NULL, "
                    + "issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, state VARCHAR(10) NOT NULL, "
                    + "better_side VARCHAR(1) NOT NULL, labels_done INT NOT NULL, request VARBINARY NOT NULL, "
                    + "label_id VARCHAR UNIQUE, shown_choice VARCHAR(3), choice VARCHAR(3), correct BOOLEAN, "
                    + "answered_at BIGINT, time_spent_ms BIGINT NOT NULL, source VARCHAR(10), "
                    + "UNIQUE (gold_id, annotator_id))");
        }
        db.commit();
    }

    /** Everything stored, for rebuilding the in-memory queue at start. */
    public record Snapshot(List<StoredTask> tasks, List<StoredLease> leases, List<String[]> skips,
                           List<StoredLabel> labels) {
    }

    public Snapshot load() {
        try (Statement s = db.createStatement()) {
            List<StoredTask> tasks = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT escalation_id, seq, pair_id, reason, priority, labels_wanted, "
                    + "not_before, created_at, ai_verdict, request FROM tasks ORDER BY seq")) {
                while (r.next()) {
                    long nb = r.getLong(7);
                    Long notBefore = r.wasNull() ? null : nb;
                    tasks.add(new StoredTask(r.getString(1), r.getLong(2), r.getString(3), r.getString(4), r.getDouble(5),
                            r.getInt(6), notBefore, r.getLong(8), r.getString(9), r.getBytes(10)));
                }
            }
            List<StoredLease> leases = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT lease_id, escalation_id, annotator_id, shown_order, issued_at, "
                    + "expires_at, state FROM leases")) {
                while (r.next()) {
                    leases.add(new StoredLease(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getLong(5), r.getLong(6), r.getString(7)));
                }
            }
            List<String[]> skips = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT escalation_id, annotator_id FROM skips")) {
                while (r.next()) {
                    skips.add(new String[]{r.getString(1), r.getString(2)});
                }
            }
            List<StoredLabel> labels = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT label_id, escalation_id, pair_id, annotator_id, choice, shown_choice, "
                    + "rationale, source, time_spent_ms, created_at, lease_id, published FROM labels ORDER BY created_at")) {
                while (r.next()) {
                    labels.add(new StoredLabel(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), r.getString(7), r.getString(8), r.getLong(9), r.getLong(10),
                            r.getString(11), r.getBoolean(12)));
                }
            }
            db.commit();
            return new Snapshot(tasks, leases, skips, labels);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the labeling task store", e);
        }
    }

    /** Next offset to consume per partition of {@code topic}, as committed with the tasks. */
    public Map<Integer, Long> consumedOffsets(String topic) {
        return offsets("consumed_offsets", topic);
    }

    /** Per partition of {@code topic}, the offset after the last label this service saw acknowledged. */
    public Map<Integer, Long> publishedOffsets(String topic) {
        return offsets("published_offsets", topic);
    }

    private Map<Integer, Long> offsets(String table, String topic) {
        Map<Integer, Long> out = new HashMap<>();
        try (PreparedStatement p = db.prepareStatement("SELECT part, next_offset FROM " + table + " WHERE topic = ?")) {
            p.setString(1, topic);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.put(r.getInt(1), r.getLong(2));
                }
            }
            db.commit();
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read offsets from the labeling task store", e);
        }
    }

    /**
     * One transaction: the new tasks (an escalation id already stored is skipped) and the consumed offsets that
     * follow them.
     */
    public void ingest(Collection<StoredTask> tasks, String topic, Map<Integer, Long> nextOffsets) {
        try (PreparedStatement t = db.prepareStatement("MERGE INTO tasks KEY (escalation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement o = db.prepareStatement("MERGE INTO consumed_offsets KEY (topic, part) VALUES (?, ?, ?)")) {
            for (StoredTask s : tasks) {
                t.setString(1, s.escalationId());
                t.setLong(2, s.seq());
                t.setString(3, s.pairId());
                t.setString(4, s.reason());
                t.setDouble(5, s.priority());
                t.setInt(6, s.labelsWanted());
                if (s.notBefore() == null) {
                    t.setNull(7, Types.BIGINT);
                } else {
                    t.setLong(7, s.notBefore());
                }
                t.setLong(8, s.createdAt());
                t.setString(9, s.aiVerdict());
                t.setBytes(10, s.request());
                t.addBatch();
            }
            t.executeBatch();
            for (var e : nextOffsets.entrySet()) {
                o.setString(1, topic);
                o.setInt(2, e.getKey());
                o.setLong(3, e.getValue());
                o.addBatch();
            }
            o.executeBatch();
            commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot store escalations", e);
        }
    }

    public void insertLease(StoredLease l) {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO leases VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, l.leaseId());
            p.setString(2, l.escalationId());
            p.setString(3, l.annotatorId());
            p.setString(4, l.order());
            p.setLong(5, l.issuedAt());
            p.setLong(6, l.expiresAt());
            p.setString(7, l.state());
            p.executeUpdate();
            commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot store lease", e);
        }
    }

    /** Ends a lease (RELEASED or SKIPPED); a skip also records that this annotator passed on the task. */
    public void endLease(String leaseId, String state, String skippedEscalation, String annotatorId, long now) {
        try (PreparedStatement p = db.prepareStatement("UPDATE leases SET state = ? WHERE lease_id = ?");
             PreparedStatement s = db.prepareStatement("MERGE INTO skips KEY (escalation_id, annotator_id) VALUES (?, ?, ?)")) {
            p.setString(1, state);
            p.setString(2, leaseId);
            p.executeUpdate();
            if (skippedEscalation != null) {
                s.setString(1, skippedEscalation);
                s.setString(2, annotatorId);
                s.setLong(3, now);
                s.executeUpdate();
            }
            commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot update lease", e);
        }
    }

    /** One transaction: the accepted label (not yet published), its lease SUBMITTED, any skip of it undone. */
    public void insertLabel(StoredLabel l) {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement u = db.prepareStatement("UPDATE leases SET state = 'SUBMITTED' WHERE lease_id = ?");
             PreparedStatement d = db.prepareStatement("DELETE FROM skips WHERE escalation_id = ? AND annotator_id = ?")) {
            p.setString(1, l.labelId());
            p.setString(2, l.escalationId());
            p.setString(3, l.pairId());
            p.setString(4, l.annotatorId());
            p.setString(5, l.choice());
            p.setString(6, l.shownChoice());
            p.setString(7, l.rationale());
            p.setString(8, l.source());
            p.setLong(9, l.timeSpentMs());
            p.setLong(10, l.createdAt());
            p.setString(11, l.leaseId());
            p.setBoolean(12, l.published());
            p.executeUpdate();
            u.setString(1, l.leaseId());
            u.executeUpdate();
            d.setString(1, l.escalationId());
            d.setString(2, l.annotatorId());
            d.executeUpdate();
            commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot store label " + l.labelId(), e);
        }
    }

    /** Marks labels published and raises the published offsets of their partitions. */
    public void markPublished(Collection<String> labelIds, String topic, Map<Integer, Long> nextOffsets) {
        try (PreparedStatement p = db.prepareStatement("UPDATE labels SET published = TRUE WHERE label_id = ?");
             PreparedStatement o = db.prepareStatement("MERGE INTO published_offsets KEY (topic, part) "
                     + "SELECT ?, ?, GREATEST(?, COALESCE((SELECT next_offset FROM published_offsets WHERE topic = ? AND part = ?), 0))")) {
            for (String id : labelIds) {
                p.setString(1, id);
                p.addBatch();
            }
            p.executeBatch();
            for (var e : nextOffsets.entrySet()) {
                o.setString(1, topic);
                o.setInt(2, e.getKey());
                o.setLong(3, e.getValue());
                o.setString(4, topic);
                o.setInt(5, e.getKey());
                o.addBatch();
            }
            o.executeBatch();
            commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot mark labels published", e);
        }
    }

    /** Every gold item served so far, with its answer where given. */
    public List<StoredGold> loadGold() {
        List<StoredGold> out = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT escalation_id, gold_id, annotator_id, lease_id, shown_order, issued_at, "
                     + "expires_at, state, better_side, labels_done, request, label_id, shown_choice, choice, correct, "
                     + "answered_at, time_spent_ms, source FROM gold_serves ORDER BY issued_at")) {
            while (r.next()) {
                boolean c = r.getBoolean("correct");
                Boolean correct = r.wasNull() ? null : c;
                long at = r.getLong("answered_at");
                Long answeredAt = r.wasNull() ? null : at;
                out.add(new StoredGold(r.getString("escalation_id"), r.getString("gold_id"), r.getString("annotator_id"),
                        r.getString("lease_id"), r.getString("shown_order"), r.getLong("issued_at"),
                        r.getLong("expires_at"), r.getString("state"), r.getString("better_side"),
                        r.getInt("labels_done"), r.getBytes("request"), r.getString("label_id"),
                        r.getString("shown_choice"), r.getString("choice"), correct, answeredAt,
                        r.getLong("time_spent_ms"), r.getString("source")));
            }
            db.commit();
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read gold items from the labeling task store", e);
        }
    }

    /** Stores a gold serve, new or changed (lease ended, answer given), in one transaction. */
    public void saveGold(StoredGold g) {
        try (PreparedStatement p = db.prepareStatement("MERGE INTO gold_serves (escalation_id, gold_id, annotator_id, "
                + "lease_id, shown_order, issued_at, expires_at, state, better_side, labels_done, request, label_id, "
                + "shown_choice, choice, correct, answered_at, time_spent_ms, source) KEY (escalation_id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, g.escalationId());
            p.setString(2, g.goldId());
            p.setString(3, g.annotatorId());
            p.setString(4, g.leaseId());
            p.setString(5, g.order());
            p.setLong(6, g.issuedAt());
            p.setLong(7, g.expiresAt());
            p.setString(8, g.state());
            p.setString(9, g.betterSide());
            p.setInt(10, g.labelsDone());
            p.setBytes(11, g.request());
            p.setString(12, g.labelId());
            p.setString(13, g.shownChoice());
            p.setString(14, g.choice());
            if (g.correct() == null) {
                p.setNull(15, Types.BOOLEAN);
            } else {
                p.setBoolean(15, g.correct());
            }
            if (g.answeredAt() == null) {
                p.setNull(16, Types.BIGINT);
            } else {
                p.setLong(16, g.answeredAt());
            }
            p.setLong(17, g.timeSpentMs());
            p.setString(18, g.source());
            p.executeUpdate();
            commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("cannot store gold item " + g.goldId() + " for " + g.annotatorId(), e);
        }
    }

    private void commit() throws SQLException {
        db.commit();
        synchronized (flushMonitor) {
            committed++;
            flushMonitor.notifyAll();
        }
    }

    /** A mark of everything committed so far, for {@link #awaitDurable(long)}. */
    public long commitMark() {
        synchronized (flushMonitor) {
            return committed;
        }
    }

    /** Waits until every transaction committed before {@code mark} was taken is written to the database file. */
    public void awaitDurable(long mark) {
        synchronized (flushMonitor) {
            while (flushed < mark) {
                if (closed) {
                    throw new IllegalStateException("the task store closed before the change was written");
                }
                try {
                    flushMonitor.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the task store", e);
                }
            }
        }
    }

    private void flushLoop() {
        while (!closed) {
            long target;
            synchronized (flushMonitor) {
                while (committed == flushed && !closed) {
                    try {
                        flushMonitor.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                target = committed;
            }
            if (closed) {
                return;
            }
            try (Statement s = flushConnection.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (SQLException e) {
                log.error("writing the task store to disk failed, retrying", e);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            synchronized (flushMonitor) {
                flushed = Math.max(flushed, target);
                flushMonitor.notifyAll();
            }
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException e) {
            log.warn("rollback failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        synchronized (flushMonitor) {
            closed = true;
            flushMonitor.notifyAll();
        }
        try {
            flusher.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flushConnection.close();
            db.close();
        } catch (SQLException e) {
            log.warn("closing the task store failed: {}", e.toString());
        }
    }
}
