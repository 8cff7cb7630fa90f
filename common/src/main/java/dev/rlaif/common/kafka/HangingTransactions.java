package dev.rlaif.common.kafka;

import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
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
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<TopicPartition> partitions = new ArrayList<>();
            described.values().forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
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

    /**
     * Aborts the transactions found hanging now (the rule above) that {@code earlier}, the previous call's answer,
     * found hanging too ({@link #confirmed}); each abort is logged. Returns what was found now: the next call's
     * {@code earlier}. An abort writes the abort marker the coordinator never wrote: the partition's readers move on,
     * and a pending offset commit is dropped, so its group resumes from its last committed offsets (at-least-once for
     * that one transaction's input; the pipeline's stages drop what they already settled by id).
     */
    public static List<Hanging> abortConfirmed(Admin admin, Collection<Hanging> earlier, Duration minIdle, Duration timeout) {
        List<Hanging> hanging = find(admin, minIdle, timeout);
        for (Hanging h : confirmed(earlier, hanging)) {
            try {
                String coordinator = coordinatorView(admin, h, timeout);
                admin.abortTransaction(h.abortSpec()).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                log.warn("aborted a hanging transaction on {}: its coordinator holds no open transaction for it, so no "
                        + "marker would ever reach it (what kafka-transactions.sh find-hanging and abort do); coordinator: {}", h, coordinator);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while aborting " + h, e);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("could not abort the hanging transaction on {}: {}", h, e.toString());
            }
        }
        return hanging;
    }

    /**
     * What the coordinator says now of the hanging transaction's producer, for the abort's log line: the
     * transactional id that holds the producer id, its state and epoch. With transactions version 2 the epoch is
     * bumped when a transaction ends, so {@code COMPLETE_COMMIT} at the hanging data's epoch + 1 means the coordinator
     * committed this very transaction and its marker never reached the partition: the abort then drops records their
     * producer saw committed, and that is logged as an error.
     */
    private static String coordinatorView(Admin admin, Hanging h, Duration timeout) {
        try {
            var listing = admin.listTransactions().all().get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .filter(l -> l.producerId() == h.producerId()).findFirst();
            if (listing.isEmpty()) {
                return "no transactional id holds producer " + h.producerId() + " now";
            }
            String id = listing.get().transactionalId();
            TransactionDescription d = admin.describeTransactions(List.of(id)).description(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (d.state() == TransactionState.COMPLETE_COMMIT && d.producerEpoch() == h.producerEpoch() + 1) {
                log.error("the hanging transaction on {} is one its coordinator committed ('{}' COMPLETE_COMMIT at epoch {}): its "
                        + "marker never reached this partition, and the abort that follows drops records their producer saw "
                        + "committed", h, id, d.producerEpoch());
            }
            return "'" + id + "' " + d.state() + " at epoch " + d.producerEpoch();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }
}
