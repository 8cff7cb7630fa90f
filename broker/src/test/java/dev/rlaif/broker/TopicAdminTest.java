package dev.rlaif.broker;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When {@link TopicAdmin#create} returns, every partition's leader serves it: a produce request with no retry
 * succeeds on each at once. (Sent earlier, one can fail with {@code NOT_LEADER_OR_FOLLOWER}, the start of the
 * idempotent producer's silent loss of KAFKA-15591 that a test here met.)
 */
@Tag("broker")
class TopicAdminTest {

    @Test
    void everyPartitionIsServedWhenCreateReturns() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            int partitions = 4;
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), null, partitions, (short) 1,
                    Files.createTempDirectory("rlaif-state"));
            TopicAdmin.createAll(settings);

            Map<String, Object> config = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                    ProducerConfig.RETRIES_CONFIG, 0,
                    ProducerConfig.ACKS_CONFIG, "all");
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (Topic<?> t : Topics.ALL) {
                    for (int p = 0; p < partitions; p++) {
                        sent.add(producer.send(new ProducerRecord<>(t.name(), p, "k".getBytes(StandardCharsets.UTF_8), "probe".getBytes(StandardCharsets.UTF_8))));
                    }
                    sent.add(producer.send(new ProducerRecord<>(t.dlq(), 0, "k".getBytes(StandardCharsets.UTF_8), "probe".getBytes(StandardCharsets.UTF_8))));
                }
                for (Future<RecordMetadata> f : sent) {
                    assertThat(f.get(30, TimeUnit.SECONDS).offset()).isZero();
                }
            }
            assertThat(sent).hasSize(Topics.ALL.size() * (partitions + 1));
        }
    }
}
