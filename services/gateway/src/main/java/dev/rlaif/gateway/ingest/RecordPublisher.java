package dev.rlaif.gateway.ingest;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.topic.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Publishes validated records to Kafka and returns only once the broker acknowledged every one of them
 * (acks=all, idempotent producer): the gateway answers 202 after this returns, never before.
 */
public final class RecordPublisher implements AutoCloseable {

    private final KafkaProducer<String, SpecificRecord> producer;
    private final Duration timeout;

    public RecordPublisher(KafkaSettings settings, String clientId, Duration timeout) {
        this.producer = Clients.avroProducer(settings, clientId);
        this.timeout = timeout;
    }

    /** Reports the producer's records per topic as {@code rlaif_<service>_records_out_total} (close it with the publisher). */
    public dev.rlaif.common.metrics.TopicMetrics metrics(String service, io.micrometer.core.instrument.MeterRegistry registry) {
        return new dev.rlaif.common.metrics.TopicMetrics(service, registry).add(producer);
    }

    /** Sends every record, keyed by {@code key}, and waits for all acknowledgements. */
    public <V extends SpecificRecord> List<RecordMetadata> publish(Topic<V> topic, List<V> records, Function<V, String> key)
            throws PublishException {
        List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
        for (V r : records) {
            futures.add(producer.send(new ProducerRecord<>(topic.name(), key.apply(r), r)));
        }
        producer.flush();
        List<RecordMetadata> out = new ArrayList<>(futures.size());
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Future<RecordMetadata> f : futures) {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
        } catch (ExecutionException e) {
            throw new PublishException("Kafka did not acknowledge the records: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishException("Kafka did not acknowledge the records within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while waiting for Kafka", e);
        }
        return out;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** The broker did not acknowledge: the client should retry (the gateway answers 503). */
    public static final class PublishException extends Exception {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
