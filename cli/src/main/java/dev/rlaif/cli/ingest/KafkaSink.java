package dev.rlaif.cli.ingest;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.PolicyGeneration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

/** Writes generations straight to the {@code generations} topic, keyed by prompt id, acks=all. */
public final class KafkaSink implements GenerationSink {

    private final KafkaProducer<String, PolicyGeneration> producer;

    public KafkaSink(KafkaSettings settings) {
        this.producer = Clients.avroProducer(settings, "rlaif-ingest");
    }

    @Override
    public void send(List<PolicyGeneration> batch) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (PolicyGeneration g : batch) {
            acks.add(producer.send(new ProducerRecord<>(Topics.GENERATIONS.name(), g.getPromptId(), g)));
        }
        for (Future<RecordMetadata> f : acks) {
            f.get();
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
