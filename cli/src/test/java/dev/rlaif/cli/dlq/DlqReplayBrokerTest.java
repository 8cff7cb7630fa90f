package dev.rlaif.cli.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.DeadLetters;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.kafka.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./rlaif dlq inspect} and {@code replay} against a real broker. */
@Tag("broker")
class DlqReplayBrokerTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ProducerRecord<byte[], byte[]> at(ProducerRecord<byte[], byte[]> r, long timestamp) {
        return new ProducerRecord<>(r.topic(), null, timestamp, r.key(), r.value(), r.headers());
    }

    @Test
    void replaysTheSelectedLettersToTheirSourceWithTheOriginalBytesAndInspectCountsThem() throws Exception {
        TopicAdmin.createAll(broker.settings());
        long now = System.currentTimeMillis();
        Instant fix = Instant.ofEpochMilli(now - 60_000);
        try (KafkaProducer<byte[], byte[]> p = Clients.rawProducer(broker.settings(), "dlq-test")) {
            p.send(at(DeadLetters.of("pairing", "generations", 0, 3, utf8("p-old"), utf8("old bytes"),
                    "cannot decode generations value: old bug", null), now - 3_600_000)).get();
            p.send(at(DeadLetters.of("pairing", "generations", 1, 7, utf8("p-1"), utf8("{\"first\":1}"),
                    "cannot decode generations value: bug", new IllegalStateException("x")), now)).get();
            p.send(at(DeadLetters.of("pairing", "generations", 2, 9, utf8("p-2"), new byte[]{0, 0, 0, 0, 9, (byte) 0xff},
                    "cannot decode generations value: bug", null), now)).get();
            ProducerRecord<byte[], byte[]> misfiled = DeadLetters.of("gateway", "feedback", 0, 1, utf8("f-1"),
                    utf8("misfiled"), "wrong topic", null);
            p.send(new ProducerRecord<>("generations.dlq", null, now, misfiled.key(), misfiled.value(),
                    misfiled.headers())).get(); // a letter from another source, on this DLQ
        }

        DeadLetterReplay.Result dry = DeadLetterReplay.run(broker.settings(), "generations", fix, true);
        assertThat(dry.read()).isEqualTo(4);
        assertThat(dry.selected()).isEqualTo(2);
        assertThat(dry.skippedOlder()).isEqualTo(1);
        assertThat(dry.skippedOtherSource()).isEqualTo(1);
        assertThat(dry.sent()).isZero();
        assertThat(TopicReader.readRaw(broker.settings(), "generations")).isEmpty(); // a dry run writes nothing

        DeadLetterReplay.Result done = DeadLetterReplay.run(broker.settings(), "generations.dlq", fix, false);
        assertThat(done.sent()).isEqualTo(2);
        List<ConsumerRecord<byte[], byte[]>> replayed = TopicReader.readRaw(broker.settings(), "generations");
        assertThat(replayed).hasSize(2);
        assertThat(replayed).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactlyInAnyOrder("p-1", "p-2");
        ConsumerRecord<byte[], byte[]> binary = replayed.stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("p-2")).findFirst().orElseThrow();
        assertThat(binary.value()).containsExactly(0, 0, 0, 0, 9, (byte) 0xff); // the original bytes, untouched
        assertThat(DeadLetters.header(binary.headers(), DeadLetterReplay.REPLAYED_FROM)).startsWith("generations.dlq-");

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DlqCommand.inspect(broker.settings(), List.of("generations.dlq"), 2, true, new PrintStream(buf, true, StandardCharsets.UTF_8));
        JsonNode report = Json.MAPPER.readTree(buf.toString(StandardCharsets.UTF_8)).get("generations.dlq");
        assertThat(report.get("count").asInt()).isEqualTo(4);
        assertThat(report.get("by_reason").get("cannot decode generations value: bug").asInt()).isEqualTo(2);
        assertThat(report.get("by_service").get("pairing").asInt()).isEqualTo(3);
        assertThat(report.get("latest")).hasSize(2);
        JsonNode first = report.get("latest").get(0);
        assertThat(first.get("source").asText()).matches("(generations-[12]@[79])|(feedback-0@1)");
        assertThat(first.get("preview").asText()).isNotEmpty();

        ByteArrayOutputStream text = new ByteArrayOutputStream();
        DlqCommand.inspect(broker.settings(), List.of("generations.dlq", "pairs.dlq"), 10, false,
                new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("generations.dlq: 4 records")
                .contains("from generations-1@7").contains("{\"first\":1}").contains("hex 00000000").contains("pairs.dlq: 0 records");
    }
}
