package dev.rlaif.cli.faults;

import dev.rlaif.cli.ChildJvm;
import dev.rlaif.common.kafka.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A commit that a SIGKILLed broker never marked: {@code ./rlaif broker} is killed right after a transaction's commit
 * returned (decided, markers maybe not yet written). Restarted, Kafka 4.3.1's coordinator reloads the commit before the
 * broker leads its partitions again, finds them leaderless, skips their markers and completes the commit: the
 * records the producer was told were committed are held from every reader for ever. The broker's hanging-transaction
 * sweeper must write the commit marker (an abort, Kafka's remedy for hanging transactions, would drop them): every
 * acknowledged record becomes readable. The kill races the markers, and a coordinator re-elected a moment later
 * sometimes reloads the commit and writes them after all; such a round proves nothing and is tried again, up to
 * {@link #ROUNDS} times.
 */
@Tag("broker")
class UnmarkedCommitTest {

    private static final int ROUNDS = 5;
    private static final int RECORDS = 30;

    @TempDir
    Path dir;

    @Test
    void aCommitTheRestartedBrokerLeftUnmarkedIsCompletedAndEveryAcknowledgedRecordIsRead() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            int port = FaultCluster.freePort();
            String bootstrap = "127.0.0.1:" + port;
            Path data = dir.resolve("kafka-" + round);
            ChildJvm first = broker(port, data, round + "-1");
            Set<String> acknowledged = new HashSet<>();
            try {
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    admin.createTopics(List.of(new NewTopic("t", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
                    TopicAdmin.awaitServed(admin, List.of("t"));
                }
                KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "unmarked-" + round), new StringSerializer(), new StringSerializer());
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>("t", "k" + i, "v" + i));
                }
                producer.commitTransaction();
                for (int i = 0; i < RECORDS; i++) {
                    acknowledged.add("k" + i);
                }
                first.kill(); // the commit is decided; its markers may not be written yet
                producer.close(Duration.ZERO); // and the producer never comes back to write another marker there
            } finally {
                first.close();
            }

            try (ChildJvm restarted = broker(port, data, round + "-2")) {
                // the coordinator reloads the commit within seconds of the restart; it skips or writes the markers
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> restarted.stderr().contains("Couldn't find leader endpoint") || read(bootstrap).size() == RECORDS);
                if (!restarted.stderr().contains("Couldn't find leader endpoint")) {
                    System.out.printf("[unmarked] round %d: the markers were written (the kill came after them); again%n", round);
                    continue;
                }
                long t0 = System.nanoTime();
                try {
                    await("every acknowledged record readable").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(5))
                            .until(() -> read(bootstrap).containsAll(acknowledged));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("acknowledged records still unreadable 5 min after the restart; the broker said:\n"
                            + String.join("\n", restarted.stderr().lines()
                            .filter(l -> l.contains("hanging") || l.contains("Couldn't find")).toList()), e);
                }
                List<String> completed = restarted.stderr().lines().filter(l -> l.contains("completed a hanging commit")).toList();
                if (completed.isEmpty()) {
                    // re-elected as the partitions got their leader back, the coordinator reloaded the commit and wrote them
                    System.out.printf("[unmarked] round %d: markers skipped, then written by the coordinator itself; again%n", round);
                    continue;
                }
                System.out.printf("[unmarked] round %d: markers skipped at restart; all %d acknowledged records readable %.0f s "
                        + "later, the sweeper having committed %d partitions%n", round, RECORDS, (System.nanoTime() - t0) / 1e9, completed.size());
                assertThat(restarted.stderr()).as("nothing aborted").doesNotContain("aborted a hanging transaction");
                return;
            }
        }
        Assumptions.abort("in " + ROUNDS + " rounds the restarted broker always wrote the commit's markers in the end: nothing to complete");
    }

    /** Records a read_committed reader sees on the topic (a few seconds of polling: it is small). */
    private static Set<String> read(String bootstrap) {
        Set<String> out = new HashSet<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = List.of(new TopicPartition("t", 0), new TopicPartition("t", 1), new TopicPartition("t", 2));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.key()));
            }
        }
        return out;
    }

    private ChildJvm broker(int port, Path data, String name) throws Exception {
        return FaultCluster.startBroker(dir.resolve("logs"), "broker-" + name, port, data);
    }
}
