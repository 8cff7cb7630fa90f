package dev.rlaif.broker;

import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.PolicyGeneration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("broker")
class EmbeddedKafkaTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @Test
    void avroRecordsRoundTripThroughARealBrokerInConfluentWireFormat() throws Exception {
        PolicyGeneration g = PolicyGeneration.newBuilder()
                .setGenerationId("g1").setPromptId("p1")
                .setPrompt(List.of(new ChatMessage("user", "hi")))
                .setResponse("hello").setPolicyModel("m").setCreatedAt(Instant.ofEpochMilli(1000)).build();
        try (KafkaProducer<String, PolicyGeneration> p = Clients.avroProducer(broker.settings(), "t")) {
            p.send(new ProducerRecord<>(Topics.GENERATIONS.name(), "p1", g)).get();
        }
        var records = TopicReader.readAll(broker.settings(), Topics.GENERATIONS);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).value()).isEqualTo(g);

        byte[] raw = TopicReader.readRaw(broker.settings(), Topics.GENERATIONS.name()).get(0).value();
        ByteBuffer buf = ByteBuffer.wrap(raw);
        assertThat(buf.get()).as("Confluent magic byte").isEqualTo((byte) 0);
        assertThat(buf.getInt()).as("schema id").isPositive();
    }
}
