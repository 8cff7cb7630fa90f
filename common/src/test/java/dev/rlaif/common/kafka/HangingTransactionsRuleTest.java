package dev.rlaif.common.kafka;

import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HangingTransactionsRuleTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 7);
    private static final TopicPartition JUDGMENTS = new TopicPartition("judgments", 0);

    private static ProducerState inTxn(long producerId, Duration idle) {
        return new ProducerState(producerId, 3, 10, NOW.minus(idle).toEpochMilli(), OptionalInt.of(2), OptionalLong.of(120));
    }

    @Test
    void anIdleTransactionItsCoordinatorHoldsNoLongerOpenIsHanging() {
        var hanging = HangingTransactions.select(Map.of(OFFSETS, List.of(inTxn(42, Duration.ofMinutes(5)))), List.of(),
                Duration.ofMinutes(2), NOW);
        assertThat(hanging).singleElement().satisfies(h -> {
            assertThat(h.partition()).isEqualTo(OFFSETS);
            assertThat(h.producerId()).isEqualTo(42);
            assertThat(h.producerEpoch()).isEqualTo((short) 3);
            assertThat(h.coordinatorEpoch()).isEqualTo(2);
            assertThat(h.startOffset()).isEqualTo(120);
        });
    }

    @Test
    void aTransactionItsCoordinatorHoldsOpenOnThatPartitionIsItsToEnd() {
        var open = new HangingTransactions.Open(42, Set.of(OFFSETS, JUDGMENTS));
        assertThat(HangingTransactions.select(Map.of(OFFSETS, List.of(inTxn(42, Duration.ofMinutes(30)))), List.of(open),
                Duration.ofMinutes(2), NOW)).isEmpty();
    }

    @Test
    void openAtTheCoordinatorButWithoutThisPartitionIsHangingHere() {
        var open = new HangingTransactions.Open(42, Set.of(JUDGMENTS));
        assertThat(HangingTransactions.select(Map.of(OFFSETS, List.of(inTxn(42, Duration.ofMinutes(5)))), List.of(open),
                Duration.ofMinutes(2), NOW)).extracting(HangingTransactions.Hanging::partition).containsExactly(OFFSETS);
    }

    @Test
    void aProducerThatWroteRecentlyIsLeftAlone() {
        assertThat(HangingTransactions.select(Map.of(OFFSETS, List.of(inTxn(42, Duration.ofSeconds(30)))), List.of(),
                Duration.ofMinutes(2), NOW)).isEmpty();
    }

    @Test
    void aProducerWithoutATransactionIsNeverACandidate() {
        var idempotent = new ProducerState(7, 0, 99, NOW.minus(Duration.ofHours(1)).toEpochMilli(), OptionalInt.empty(), OptionalLong.empty());
        assertThat(HangingTransactions.select(Map.of(JUDGMENTS, List.of(idempotent)), List.of(), Duration.ZERO, NOW)).isEmpty();
    }

    @Test
    void anotherProducersOpenTransactionDoesNotCover() {
        var open = new HangingTransactions.Open(43, Set.of(OFFSETS));
        assertThat(HangingTransactions.select(Map.of(OFFSETS, List.of(inTxn(42, Duration.ofMinutes(5)), inTxn(43, Duration.ofMinutes(5)))),
                List.of(open), Duration.ofMinutes(2), NOW)).extracting(HangingTransactions.Hanging::producerId).containsExactly(42L);
    }

    @Test
    void onlyWhatTwoLooksInARowFoundIsConfirmed() {
        var first = HangingTransactions.select(Map.of(OFFSETS, List.of(inTxn(42, Duration.ofMinutes(5))),
                JUDGMENTS, List.of(inTxn(43, Duration.ofMinutes(5)))), List.of(), Duration.ofMinutes(2), NOW);
        // the next look: 42's transaction is still there; 43's ended and a new one (next epoch, later offset) began
        var second = HangingTransactions.select(Map.of(OFFSETS, List.of(inTxn(42, Duration.ofMinutes(6))),
                JUDGMENTS, List.of(new ProducerState(43, 4, 11, NOW.minus(Duration.ofMinutes(6)).toEpochMilli(),
                        OptionalInt.of(2), OptionalLong.of(130)))), List.of(), Duration.ofMinutes(2), NOW);
        assertThat(second).hasSize(2);
        assertThat(HangingTransactions.confirmed(first, second)).extracting(HangingTransactions.Hanging::producerId)
                .containsExactly(42L);
        assertThat(HangingTransactions.confirmed(List.of(), second)).as("a first look confirms nothing").isEmpty();
    }

    @Test
    void onlyACommitAtTheBumpedEpochIsThisTransactionsCommit() {
        var h = HangingTransactions.select(Map.of(JUDGMENTS, List.of(inTxn(42, Duration.ofMinutes(5)))), List.of(),
                Duration.ofMinutes(2), NOW).get(0); // data at epoch 3
        assertThat(HangingTransactions.committedByCoordinator(h, view(org.apache.kafka.clients.admin.TransactionState.COMPLETE_COMMIT, 4)))
                .as("ended by bumping 3 to 4, committed").isTrue();
        assertThat(HangingTransactions.committedByCoordinator(h, view(org.apache.kafka.clients.admin.TransactionState.COMPLETE_ABORT, 4)))
                .as("aborted").isFalse();
        assertThat(HangingTransactions.committedByCoordinator(h, view(org.apache.kafka.clients.admin.TransactionState.COMPLETE_COMMIT, 3)))
                .as("the commit before it: this one never ended at its coordinator").isFalse();
        assertThat(HangingTransactions.committedByCoordinator(h, view(org.apache.kafka.clients.admin.TransactionState.COMPLETE_COMMIT, 5)))
                .as("a later transaction's commit: this one's outcome is unknown").isFalse();
        assertThat(HangingTransactions.committedByCoordinator(h, null)).as("no transactional id holds the producer").isFalse();
    }

    private static HangingTransactions.CoordinatorView view(org.apache.kafka.clients.admin.TransactionState state, int epoch) {
        return new HangingTransactions.CoordinatorView("t", state, (short) epoch);
    }
}
