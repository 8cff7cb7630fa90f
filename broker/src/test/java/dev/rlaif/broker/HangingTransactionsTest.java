package dev.rlaif.broker;

import dev.rlaif.common.kafka.HangingTransactions;
import dev.rlaif.common.kafka.TxnMarkerWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a real broker, the sweep's one dangerous mistake never happens: a transaction its coordinator can still end
 * (open, with records and with a pending offset commit on {@code __consumer_offsets}) or has ended (committed,
 * aborted) is never taken for a hanging one. The rule's positive cases are {@code HangingTransactionsRuleTest}'s: a
 * hanging transaction cannot be made on purpose on a healthy broker (KIP-890's partition verification prevents it).
 */
@Tag("broker")
class HangingTransactionsTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static final String TOPIC = "hang-probe";

    @Test
    void transactionsItsCoordinatorCanEndOrHasEndedAreNeverTakenForHanging() throws Exception {
        String bootstrap = broker.settings().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> committed = producer(bootstrap, "probe-committed");
                 KafkaProducer<String, String> aborted = producer(bootstrap, "probe-aborted");
                 KafkaProducer<String, String> open = producer(bootstrap, "probe-open")) {
                committed.initTransactions();
                committed.beginTransaction();
                committed.send(new ProducerRecord<>(TOPIC, "k", "committed")).get();
                committed.commitTransaction();

                aborted.initTransactions();
                aborted.beginTransaction();
                aborted.send(new ProducerRecord<>(TOPIC, "k", "aborted")).get();
                aborted.abortTransaction();

                open.initTransactions();
                open.beginTransaction();
                open.send(new ProducerRecord<>(TOPIC, "k", "open")).get();
                open.sendOffsetsToTransaction(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(1)),
                        new ConsumerGroupMetadata("probe-group"));
                open.flush();

                var describedOpen = admin.describeProducers(List.of(new TopicPartition(TOPIC, 0))).all().get(30, TimeUnit.SECONDS);
                assertThat(describedOpen.get(new TopicPartition(TOPIC, 0)).activeProducers())
                        .as("the probe has a transaction open on the partition").anyMatch(p -> p.currentTransactionStartOffset().isPresent());
                assertThat(HangingTransactions.find(admin, Duration.ZERO, Duration.ofSeconds(30))).isEmpty();
                // two sweeps in a row, with no idleness asked: the second would end what both found
                var first = HangingTransactions.endConfirmed(admin, List.of(), Duration.ZERO, Duration.ofSeconds(30));
                assertThat(first).isEmpty();
                assertThat(HangingTransactions.endConfirmed(admin, first, Duration.ZERO, Duration.ofSeconds(30))).isEmpty();

                open.commitTransaction();
            }
            assertThat(HangingTransactions.find(admin, Duration.ZERO, Duration.ofSeconds(30))).isEmpty();
        }
    }

    @Test
    void aCommitMarkerWrittenAsItsCoordinatorWouldEndsTheTransactionOnThePartition() throws Exception {
        String bootstrap = broker.settings().bootstrapServers();
        TopicPartition tp = new TopicPartition("marker-probe", 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(tp.topic(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            KafkaProducer<String, String> held = producer(bootstrap, "probe-held");
            try {
                held.initTransactions();
                held.beginTransaction();
                held.send(new ProducerRecord<>(tp.topic(), "k", "held")).get();
                var state = admin.describeProducers(List.of(tp)).all().get(30, TimeUnit.SECONDS).get(tp).activeProducers().stream()
                        .filter(p -> p.currentTransactionStartOffset().isPresent()).findFirst().orElseThrow();
                assertThat(stableEnd(admin, tp)).as("the open transaction holds its record from readers").isZero();

                // what the coordinator writes to end a version-2 transaction: the commit marker at the bumped epoch
                TxnMarkerWriter.write(admin.describeTopics(List.of(tp.topic())).allTopicNames().get(30, TimeUnit.SECONDS)
                                .get(tp.topic()).partitions().get(0).leader(), tp, state.producerId(),
                        (short) (state.producerEpoch() + 1), state.coordinatorEpoch().orElse(0), (short) 2, true, Duration.ofSeconds(30));

                assertThat(stableEnd(admin, tp)).as("record and marker now below the last stable offset").isEqualTo(2);
                assertThat(admin.describeProducers(List.of(tp)).all().get(30, TimeUnit.SECONDS).get(tp).activeProducers())
                        .noneMatch(p -> p.currentTransactionStartOffset().isPresent());
            } finally {
                held.close(Duration.ZERO);
            }
        }
    }

    private static long stableEnd(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    private static KafkaProducer<String, String> producer(String bootstrap, String txnId) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId), new StringSerializer(), new StringSerializer());
    }
}
