package dev.rlaif.common.kafka;

import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hanging transactions: a partition that holds the start of a transaction its transaction coordinator no longer
 * holds open, so no commit or abort marker will ever reach it. Every {@code read_committed} reader of the partition
 * stops at it, and when the partition is one of {@code __consumer_offsets}, the group's transactional offset commit
 * stays pending: its consumers wait on "unstable offsets" for ever. Kafka's answer is an operator's:
 * {@code kafka-transactions.sh find-hanging}, then {@code abort} (KIP-664). This class is the same two steps over the
 * Admin API, so the demo can recover its own embedded broker after a SIGKILL and {@code ./rlaif status} can show them.
 *
 * <p>A transaction is taken as hanging only when both hold: (1) the producer has written nothing to the partition for
 * at least {@code minIdle} (no transaction may legitimately stay open past {@code transaction.max.timeout.ms}: the
 * coordinator aborts it), and (2) the coordinator has no open transaction (ongoing, or preparing its commit or abort)
 * of that producer that includes the partition. A transaction still open at its coordinator is the coordinator's to
 * finish and is never touched.
 */
public final class HangingTransactions {

    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);

    /** Coordinator states in which a transaction is still open: its coordinator will end it and write its markers. */
    static final Set<TransactionState> OPEN = EnumSet.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE);

    /** One transaction left open on one partition. */
    public record Hanging(TopicPartition partition, long producerId, short producerEpoch, int coordinatorEpoch,
                          long startOffset, Instant lastWrite) {
        /** The same transaction on the same partition: producer, epoch and first offset. */
        boolean sameAs(Hanging other) {
            return partition.equals(other.partition) && producerId == other.producerId && producerEpoch == other.producerEpoch
                    && startOffset == other.startOffset;
        }

        AbortTransactionSpec abortSpec() {
            return new AbortTransactionSpec(partition, producerId, producerEpoch, coordinatorEpoch);
        }

        @Override
        public String toString() {
            return partition + " from offset " + startOffset + " (producer " + producerId + ", epoch " + producerEpoch
                    + ", last write " + lastWrite + ")";
        }
    }

    /** A transaction the coordinator holds open: its producer and the partitions it has added. */
    record Open(long producerId, Set<TopicPartition> partitions) {
    }

    private HangingTransactions() {
    }

    /**
     * The rule, on what the partitions' leaders and the coordinators said: partitions with a transaction open whose
     * producer has been idle {@code minIdle} or more, less those the coordinator holds open for that producer.
     */
    static List<Hanging> select(Map<TopicPartition, List<ProducerState>> producers, Collection<Open> open,
                                Duration minIdle, Instant now) {
        Map<Long, Set<TopicPartition>> openByProducer = new HashMap<>();
        for (Open o : open) {
            openByProducer.computeIfAbsent(o.producerId(), k -> new HashSet<>()).addAll(o.partitions());
        }
        List<Hanging> out = new ArrayList<>();
        producers.forEach((tp, states) -> {
            for (ProducerState p : states) {
                if (p.currentTransactionStartOffset().isEmpty()) {
                    continue;
                }
                Instant last = Instant.ofEpochMilli(p.lastTimestamp());
                if (Duration.between(last, now).compareTo(minIdle) < 0) {
                    continue;
                }
                if (openByProducer.getOrDefault(p.producerId(), Set.of()).contains(tp)) {
                    continue;
                }
                out.add(new Hanging(tp, p.producerId(), (short) p.producerEpoch(), p.coordinatorEpoch().orElse(-1),
                        p.currentTransactionStartOffset().getAsLong(), last));
            }
        });
        out.sort(java.util.Comparator.comparing((Hanging h) -> h.partition().toString()));
        return out;
    }

    /** The hanging transactions of every partition of the cluster, internal topics included. */
    public static List<Hanging> find(Admin admin, Duration minIdle, Duration timeout) {
        try {
            List<TopicPartition> partitions = TopicAdmin.allPartitions(admin, true, timeout);
            Map<TopicPartition, List<ProducerState>> producers = new HashMap<>();
            Map<TopicPartition, PartitionProducerState> states = admin.describeProducers(partitions).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            states.forEach((tp, s) -> {
                List<ProducerState> withTxn = s.activeProducers().stream()
                        .filter(p -> p.currentTransactionStartOffset().isPresent()).toList();
                if (!withTxn.isEmpty()) {
                    producers.put(tp, withTxn);
                }
            });
            if (producers.isEmpty()) {
                return List.of();
            }
            // read after the partitions: a transaction that began since is not a candidate; one that was open on a
            // partition and ended since is not taken for hanging either, since its producer wrote within minIdle
            Collection<TransactionListing> listings = admin.listTransactions().all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<String> openIds = listings.stream().filter(l -> OPEN.contains(l.state())).map(TransactionListing::transactionalId).toList();
            List<Open> open = new ArrayList<>();
            if (!openIds.isEmpty()) {
                Map<String, TransactionDescription> txns = admin.describeTransactions(openIds).all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                txns.values().stream().filter(d -> OPEN.contains(d.state()))
                        .forEach(d -> open.add(new Open(d.producerId(), d.topicPartitions())));
            }
            return select(producers, open, minIdle, Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for hanging transactions", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not look for hanging transactions: " + e, e);
        }
    }

    /**
     * Those of {@code now} that {@code earlier} (an earlier {@link #find}) found too, the same transaction on the same
     * partition. One look can be wrong: a partition's producers and the coordinators' transactions are read one after
     * the other, so a transaction that ends and a next one of the same producer that begins between the two reads
     * looks hanging for that one moment (and {@code lastWrite} is the producer's own record timestamp, which a
     * Streams application sets from its input, so "idle" alone proves nothing). A transaction really left hanging
     * stays so, and is found again.
     */
    static List<Hanging> confirmed(Collection<Hanging> earlier, List<Hanging> now) {
        return now.stream().filter(h -> earlier.stream().anyMatch(h::sameAs)).toList();
    }

    /** What the coordinator says now of a hanging transaction's producer (empty: no transactional id holds it). */
    record CoordinatorView(String transactionalId, TransactionState state, short epoch) {
        @Override
        public String toString() {
            return "'" + transactionalId + "' " + state + " at epoch " + epoch;
        }
    }

    /**
     * Whether the coordinator committed this very transaction. With transactions version 2 (Kafka 4's default, the
     * brokers this project starts) a transaction ends by bumping its producer's epoch, so {@code COMPLETE_COMMIT} at
     * the hanging data's epoch + 1 is this transaction's commit, decided and logged, whose marker never reached the
     * partition. Kafka 4.3's coordinator does leave such partitions behind after a broker is SIGKILLed mid-commit:
     * reloading its log before the restarted broker leads its partitions again, it finds no leader for them, takes
     * them for deleted ("Couldn't find leader endpoint ... can be skipped") and completes the commit without their
     * markers. Aborting there would drop records their producer was told were committed.
     */
    static boolean committedByCoordinator(Hanging h, CoordinatorView view) {
        return view != null && view.state() == TransactionState.COMPLETE_COMMIT && view.epoch() == h.producerEpoch() + 1;
    }

    /**
     * Ends the transactions found hanging now (the rule above) that {@code earlier}, the previous call's answer, found
     * hanging too ({@link #confirmed}); each is logged. One its coordinator committed ({@link #committedByCoordinator})
     * gets the commit marker the coordinator never wrote, so its records become visible as its producer was told;
     * every other one is aborted (what {@code kafka-transactions.sh abort} does): the partition's readers move on,
     * and a pending offset commit is dropped, so its group resumes from its last committed offsets (at-least-once for
     * that one transaction's input; the pipeline's stages drop what they already settled by id). Returns what was
     * found now: the next call's {@code earlier}.
     */
    public static List<Hanging> endConfirmed(Admin admin, Collection<Hanging> earlier, Duration minIdle, Duration timeout) {
        List<Hanging> hanging = find(admin, minIdle, timeout);
        for (Hanging h : confirmed(earlier, hanging)) {
            try {
                CoordinatorView view = coordinatorView(admin, h, timeout);
                if (committedByCoordinator(h, view)) {
                    TxnMarkerWriter.write(leader(admin, h.partition(), timeout), h.partition(), h.producerId(), view.epoch(),
                            h.coordinatorEpoch(), (short) 2, true, timeout);
                    log.warn("completed a hanging commit on {}: its coordinator committed it ({}) but its marker never reached "
                            + "this partition; wrote the commit marker", h, view);
                } else {
                    admin.abortTransaction(h.abortSpec()).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    log.warn("aborted a hanging transaction on {}: its coordinator holds no open transaction for it, so no "
                            + "marker would ever reach it (what kafka-transactions.sh find-hanging and abort do); coordinator: {}",
                            h, view == null ? "no transactional id holds producer " + h.producerId() : view);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while ending " + h, e);
            } catch (ExecutionException | TimeoutException | java.io.IOException e) {
                log.warn("could not end the hanging transaction on {}: {}", h, e.toString());
            }
        }
        return hanging;
    }

    private static org.apache.kafka.common.Node leader(Admin admin, TopicPartition tp, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription d = admin.describeTopics(List.of(tp.topic())).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .get(tp.topic());
        org.apache.kafka.common.Node leader = d.partitions().get(tp.partition()).leader();
        if (leader == null || leader.isEmpty()) {
            throw new ExecutionException("no leader for " + tp, null);
        }
        return leader;
    }

    /** The coordinator's view of the hanging transaction's producer, or null when no transactional id holds it. */
    private static CoordinatorView coordinatorView(Admin admin, Hanging h, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        var listing = admin.listTransactions().all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
                .filter(l -> l.producerId() == h.producerId()).findFirst();
        if (listing.isEmpty()) {
            return null;
        }
        String id = listing.get().transactionalId();
        TransactionDescription d = admin.describeTransactions(List.of(id)).description(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new CoordinatorView(id, d.state(), (short) d.producerEpoch());
    }
}
