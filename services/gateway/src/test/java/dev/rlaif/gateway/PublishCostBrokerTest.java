package dev.rlaif.gateway;

import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.gateway.ingest.RecordPublisher;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.PolicyGeneration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What all-or-nothing costs: the gateway's transactional publish (one Kafka transaction per request) against its
 * floor, the same pre-serialized batches sent with a plain idempotent producer (send all, flush, wait for every
 * acknowledgement: the gateway before issue 11). Both in the same run on the same broker; prints the figures and
 * the ratio, asserts only that every record arrived.
 */
@Tag("broker")
class PublishCostBrokerTest {

    private static final Logger log = LoggerFactory.getLogger(PublishCostBrokerTest.class);

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    static List<PolicyGeneration> batch(String run, int b, int size) {
        List<PolicyGeneration> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            out.add(PolicyGeneration.newBuilder().setGenerationId(run + "-" + b + "-" + i).setPromptId(run + "-p" + (i % 50))
                    .setPrompt(List.of(new ChatMessage("user", "question " + i))).setResponse("an answer of moderate length " + i)
                    .setPolicyModel("m").setPolicyVersion("").setCreatedAt(Instant.now()).setTags(Map.of()).build());
        }
        return out;
    }

    @Test
    void transactionalPublishCostAgainstItsFloor() throws Exception {
        int batches = 150;
        int size = 100;
        try (RecordPublisher publisher = new RecordPublisher(broker.settings(), "cost", Duration.ofSeconds(30), 1);
             KafkaProducer<String, byte[]> plain = new KafkaProducer<>(Clients.producerConfig(broker.settings(), "plain"),
                     new StringSerializer(), new ByteArraySerializer())) {
            // warm-up of both paths
            publisher.publish(publisher.serialize(Topics.GENERATIONS, batch("warm", 0, size), PolicyGeneration::getPromptId));
            sendPlain(plain, publisher.serialize(Topics.GENERATIONS, batch("warm", 1, size), PolicyGeneration::getPromptId));
            double[] tx = new double[3];
            double[] floor = new double[3];
            for (int round = 0; round < 3; round++) {
                List<List<RecordPublisher.Prepared>> a = new ArrayList<>();
                List<List<RecordPublisher.Prepared>> b = new ArrayList<>();
                for (int i = 0; i < batches; i++) {
                    a.add(publisher.serialize(Topics.GENERATIONS, batch("tx" + round, i, size), PolicyGeneration::getPromptId));
                    b.add(publisher.serialize(Topics.GENERATIONS, batch("plain" + round, i, size), PolicyGeneration::getPromptId));
                }
                long t0 = System.nanoTime();
                for (var records : b) {
                    sendPlain(plain, records);
                }
                floor[round] = (System.nanoTime() - t0) / 1e6 / batches;
                t0 = System.nanoTime();
                for (var records : a) {
                    publisher.publish(records);
                }
                tx[round] = (System.nanoTime() - t0) / 1e6 / batches;
            }
            for (int round = 0; round < 3; round++) {
                log.info("publish of {} records per request: transactional {} ms, plain idempotent (floor) {} ms, ratio {}",
                        size, String.format("%.1f", tx[round]), String.format("%.1f", floor[round]),
                        String.format("%.2f", tx[round] / floor[round]));
            }
        }
        assertThat(TopicReader.count(broker.settings(), Topics.GENERATIONS.name())).isEqualTo((long) (2 + 3 * 2 * batches) * size);
    }

    private static void sendPlain(KafkaProducer<String, byte[]> p, List<RecordPublisher.Prepared> records) throws Exception {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (RecordPublisher.Prepared r : records) {
            futures.add(p.send(new ProducerRecord<>(r.topic(), r.key(), r.value())));
        }
        p.flush();
        for (Future<RecordMetadata> f : futures) {
            f.get();
        }
    }
}
