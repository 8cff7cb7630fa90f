package dev.rlaif.cli.bench;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.kafka.LocalBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the broker appended between two snapshots, on a real broker: only the records in between, per topic, with
 * their bytes; an aborted transaction's records count (they were appended), its markers do not; records deleted
 * before the read-back are still counted, by offset.
 */
@Tag("broker")
class LogTrafficTest {

    @Test
    void countsWhatWasAppendedBetweenTwoSnapshotsPurgedAndAbortedRecordsIncluded() throws Exception {
        Path state = Files.createTempDirectory("log-traffic");
        try (LocalBroker kafka = LocalBroker.startTemporary();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), null, 1, (short) 1, state);
            admin.createTopics(List.of(new NewTopic("plain", 2, (short) 1), new NewTopic("txn", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> p = producer(kafka, null)) {
                for (int i = 0; i < 4; i++) {
                    p.send(new ProducerRecord<>("plain", i % 2, "k", "before....")).get();  // not in the window
                }
            }
            LogTraffic.Snapshot before = LogTraffic.snapshot(settings);
            try (KafkaProducer<String, String> p = producer(kafka, null)) {
                for (int i = 0; i < 10; i++) {
                    p.send(new ProducerRecord<>("plain", i % 2, "k", "0123456789")).get();  // 11 bytes each
                }
            }
            try (KafkaProducer<String, String> t = producer(kafka, "log-traffic-test")) {
                t.initTransactions();
                t.beginTransaction();
                for (int i = 0; i < 3; i++) {
                    t.send(new ProducerRecord<>("txn", "k", "committed"));
                }
                t.commitTransaction();
                t.beginTransaction();
                t.send(new ProducerRecord<>("txn", "k", "aborted"));
                t.send(new ProducerRecord<>("txn", "k", "aborted"));
                t.flush();
                t.abortTransaction();
            }
            LogTraffic.Snapshot after = LogTraffic.snapshot(settings);
            // 3 of partition 0's 5 new records deleted before the read-back, as Kafka Streams purges repartitions
            admin.deleteRecords(Map.of(new TopicPartition("plain", 0), RecordsToDelete.beforeOffset(2 + 3)))
                    .all().get(30, TimeUnit.SECONDS);

            LogTraffic.Growth g = LogTraffic.between(settings, before, after, Duration.ofSeconds(60));

            assertThat(g.recordsByTopic()).containsEntry("plain", 10L).containsEntry("txn", 5L);
            assertThat(g.purged()).isEqualTo(3);
            assertThat(g.bytesByTopic()).containsEntry("plain", 7L * 11);
            assertThat(g.markers()).as("one commit and one abort marker").isEqualTo(2);
            assertThat(g.recordsByTopic()).containsKey("__transaction_state");
        } finally {
            TempDirs.deleteTree(state);
        }
    }

    private static KafkaProducer<String, String> producer(LocalBroker kafka, String transactionalId) {
        Map<String, Object> c = new java.util.HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        if (transactionalId != null) {
            c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
    }
}
