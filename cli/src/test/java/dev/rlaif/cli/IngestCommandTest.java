package dev.rlaif.cli;

import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.broker.BrokerExtension;
import dev.rlaif.common.topic.Topics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("broker")
class IngestCommandTest {

    @RegisterExtension
    static BrokerExtension broker = new BrokerExtension();

    @Test
    void ingestsPairwiseLinesStraightToKafkaAsTwoGenerationsPerComparison(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, """
                {"id": "c1", "prompt": "Say hi", "response_a": "hi", "response_b": "go away", "label": "A"}
                {"id": "c2", "prompt": [{"role": "user", "content": "2+2?"}], "response_a": "4", "response_b": "5"}
                {"id": "c3", "prompt": "Name a color", "response_a": "blue", "response_b": "seven"}
                """);
        int rc = Rlaif.commandLine().execute("ingest", file.toString(), "--limit", "2",
                "--bootstrap-servers", broker.bootstrapServers(), "--state-dir", dir.toString());
        assertThat(rc).isZero();
        var records = TopicReader.readAll(broker.settings(), Topics.GENERATIONS);
        assertThat(records).hasSize(4);
        assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getPromptId()));
        assertThat(records).extracting(r -> r.value().getGenerationId()).containsExactlyInAnyOrder("c1-a", "c1-b", "c2-a", "c2-b");
    }

    @Test
    void refusesAMissingFileWithAClearMessage() {
        assertThat(Rlaif.commandLine().execute("ingest", "/no/such/file.jsonl")).isEqualTo(2);
    }
}
