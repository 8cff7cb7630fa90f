package dev.rlaif.common.serde;

import dev.rlaif.schema.RewardModelVersion;
import dev.rlaif.schema.UserFeedback;
import dev.rlaif.schema.FeedbackKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durable in-memory registry: ids written before a restart keep their meaning after it. */
class DurableRegistryTest {

    private static final RewardModelVersion VERSION = RewardModelVersion.newBuilder().setVersion("v1").setPath("/m/v1")
            .setPublished(true).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();
    private static final UserFeedback FEEDBACK = UserFeedback.newBuilder().setFeedbackId("f1").setUserId("u1")
            .setKind(FeedbackKind.values()[0]).setPromptId("p1").setGenerationId("g1")
            .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).build();

    @Test
    void idsSurviveAReopenAndNewSchemasContinueAfterThem(@TempDir Path dir) {
        Path journal = dir.resolve("schemas.jsonl");
        InMemoryRegistry first = InMemoryRegistry.open(journal);
        byte[] version = AvroSerdes.inMemory(first).serializer().serialize("model-versions", VERSION);
        first.closeJournal();

        InMemoryRegistry second = InMemoryRegistry.open(journal);
        assertThat(AvroSerdes.inMemory(second).<RewardModelVersion>deserializer().deserialize("model-versions", version))
                .isEqualTo(VERSION);
        byte[] again = AvroSerdes.inMemory(second).serializer().serialize("model-versions", VERSION);
        assertThat(schemaId(again)).as("the same schema keeps its id").isEqualTo(schemaId(version));
        byte[] feedback = AvroSerdes.inMemory(second).serializer().serialize("feedback", FEEDBACK);
        assertThat(schemaId(feedback)).as("a new schema gets a new id (after its referenced enums)").isGreaterThan(schemaId(version));
        assertThat(second.size()).isEqualTo(schemaId(feedback));
        second.closeJournal();
    }

    @Test
    void aLineTornByACrashIsDroppedAndTheJournalStaysAppendable(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("schemas.jsonl");
        InMemoryRegistry first = InMemoryRegistry.open(journal);
        byte[] version = AvroSerdes.inMemory(first).serializer().serialize("model-versions", VERSION);
        first.closeJournal();
        Files.writeString(journal, "{\"id\":2,\"groupId\":\"default\",\"artif", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        InMemoryRegistry second = InMemoryRegistry.open(journal);
        assertThat(second.size()).isEqualTo(1);
        byte[] feedback = AvroSerdes.inMemory(second).serializer().serialize("feedback", FEEDBACK);
        int registered = second.size();
        second.closeJournal();

        InMemoryRegistry third = InMemoryRegistry.open(journal);
        assertThat(registered).as("UserFeedback and the enums it references").isGreaterThan(2);
        assertThat(third.size()).isEqualTo(registered);
        assertThat(AvroSerdes.inMemory(third).<RewardModelVersion>deserializer().deserialize("model-versions", version)).isEqualTo(VERSION);
        assertThat(AvroSerdes.inMemory(third).<UserFeedback>deserializer().deserialize("feedback", feedback)).isEqualTo(FEEDBACK);
        third.closeJournal();
    }

    @Test
    void aSecondOpenerOfAnOwnedJournalReadsButCannotRegister(@TempDir Path dir) {
        Path journal = dir.resolve("schemas.jsonl");
        InMemoryRegistry owner = InMemoryRegistry.open(journal);
        InMemoryRegistry reader = InMemoryRegistry.open(journal);
        byte[] version = AvroSerdes.inMemory(owner).serializer().serialize("model-versions", VERSION);
        assertThat(AvroSerdes.inMemory(reader).<RewardModelVersion>deserializer().deserialize("model-versions", version))
                .as("an id registered after the reader opened is found by re-reading").isEqualTo(VERSION);
        assertThatThrownBy(() -> AvroSerdes.inMemory(reader).serializer().serialize("feedback", FEEDBACK))
                .hasStackTraceContaining("owned by another process");
        owner.closeJournal();
        reader.closeJournal();
    }

    @Test
    void aFileUrlSelectsTheDurableRegistryOfThisProcess(@TempDir Path dir) {
        var settings = new dev.rlaif.common.config.KafkaSettings("localhost:9092",
                dir.resolve("schemas.jsonl").toUri().toString(), 1, (short) 1, dir);
        byte[] bytes = AvroSerdes.from(settings).serializer().serialize("model-versions", VERSION);
        assertThat(AvroSerdes.from(settings).<RewardModelVersion>deserializer().deserialize("model-versions", bytes)).isEqualTo(VERSION);
        assertThat(dir.resolve("schemas.jsonl")).content().contains("\"id\":" + schemaId(bytes));
    }

    private static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }
}
