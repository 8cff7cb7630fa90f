package dev.rlaif.cli.registry;

import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.schema.RewardModelVersion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production serde path end to end: Avro records written through the real broker with schema ids from a real
 * Apicurio Registry server in its own process (v2 API), read back by another serde instance, as another process
 * would; then the server is SIGKILLed and restarted on the same data directory, and its ids still resolve.
 */
@Tag("broker")
class RegistryServerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static final String TOPIC = "registry-roundtrip";
    private static final List<String> OPTS = List.of("-Xmx384m");
    private static final Duration START = Duration.ofMinutes(3);

    @Test
    void recordsRoundTripThroughTheBrokerAndIdsSurviveARestart(@TempDir Path data) throws Exception {
        List<RewardModelVersion> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(RewardModelVersion.newBuilder().setVersion("v" + i).setPath("/models/v" + i).setPublished(i % 2 == 0)
                    .setMetrics(Map.of("accuracy", 0.5 + i / 10.0)).setCreatedAt(java.time.Instant.ofEpochMilli(1_700_000_000_000L + i)).build());
        }
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        int writtenId;
        try (RegistryServer server = RegistryServer.start(data, "127.0.0.1", 0, OPTS, START)) {
            assertThat(server.url()).endsWith("/apis/registry/v2");
            KafkaSettings settings = broker.settings().withRegistryUrl(server.url());
            Serializer<RewardModelVersion> writer = AvroSerdes.from(settings).serializer();
            try (KafkaProducer<String, RewardModelVersion> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), writer)) {
                for (RewardModelVersion v : sent) {
                    producer.send(new ProducerRecord<>(TOPIC, v.getVersion(), v)).get();
                }
            }
            List<byte[]> raw = readRaw(sent.size());
            writtenId = schemaId(raw.get(0));
            assertThat(raw).allSatisfy(bytes -> {
                assertThat(bytes[0]).as("Confluent wire format: magic byte 0").isZero();
                assertThat(schemaId(bytes)).isEqualTo(writtenId);
            });
            // another serde instance, as another process: it knows no ids and asks the server
            assertThat(decode(AvroSerdes.from(settings).deserializer(), raw)).isEqualTo(sent);

            server.kill();
            assertThat(server.isAlive()).isFalse();
        }

        try (RegistryServer restarted = RegistryServer.start(data, "127.0.0.1", 0, OPTS, START)) {
            KafkaSettings settings = broker.settings().withRegistryUrl(restarted.url());
            List<byte[]> raw = readRaw(sent.size());
            assertThat(decode(AvroSerdes.from(settings).deserializer(), raw))
                    .as("ids written before the SIGKILL resolve after the restart").isEqualTo(sent);
            byte[] again = AvroSerdes.from(settings).<RewardModelVersion>serializer().serialize(TOPIC, sent.get(0));
            assertThat(schemaId(again)).as("the same schema keeps its id").isEqualTo(writtenId);
        }
    }

    private static List<RewardModelVersion> decode(Deserializer<RewardModelVersion> reader, List<byte[]> raw) {
        return raw.stream().map(b -> reader.deserialize(TOPIC, b)).toList();
    }

    private static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    private static List<byte[]> readRaw(int expected) {
        List<byte[]> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        assertThat(out).hasSize(expected);
        return out;
    }
}
