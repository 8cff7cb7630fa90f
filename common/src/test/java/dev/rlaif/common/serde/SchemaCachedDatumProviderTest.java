package dev.rlaif.common.serde;

import dev.rlaif.common.testing.Fixtures;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.CritiqueAspect;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.FeedbackKind;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PairLink;
import dev.rlaif.schema.PairingState;
import dev.rlaif.schema.PolicyGeneration;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.PreferenceSource;
import dev.rlaif.schema.RankedResponse;
import dev.rlaif.schema.RewardModelVersion;
import dev.rlaif.schema.SamplingParams;
import dev.rlaif.schema.UserFeedback;
import dev.rlaif.schema.Verdict;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The serdes' datum provider: one reader and writer per schema, found without fingerprinting, same bytes as before. */
class SchemaCachedDatumProviderTest {

    private static UserFeedback feedback(int i) {
        return UserFeedback.newBuilder().setFeedbackId("f" + i).setUserId("u1").setKind(FeedbackKind.values()[0])
                .setPromptId("p" + i).setGenerationId("g" + i).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L + i)).build();
    }

    @Test
    void reusesOneWriterAndReaderPerSchemaAndKeepsSpecificAndGenericApart() {
        SchemaCachedDatumProvider<Object> provider = new SchemaCachedDatumProvider<>();
        provider.setUseSpecificAvroReader(true);
        Schema schema = UserFeedback.getClassSchema();
        var writer = provider.createDatumWriter(feedback(1), schema);
        assertThat(provider.createDatumWriter(feedback(2), schema)).isSameAs(writer);
        Schema equalCopy = new Schema.Parser().parse(schema.toString());
        assertThat(provider.createDatumWriter(feedback(3), equalCopy)).as("an equal schema parsed again").isSameAs(writer);

        GenericRecord generic = new GenericData.Record(schema);
        assertThat(provider.createDatumWriter(generic, schema)).as("a generic record gets a generic writer")
                .isNotSameAs(writer).isNotInstanceOf(org.apache.avro.specific.SpecificDatumWriter.class);

        var reader = provider.createDatumReader(schema);
        assertThat(provider.createDatumReader(equalCopy)).isSameAs(reader);
        assertThat(reader).isInstanceOf(org.apache.avro.specific.SpecificDatumReader.class);
    }

    /** One record of each shape the topics and stores carry: nested records, unions, arrays, maps, timestamps. */
    static List<SpecificRecord> everyShape() {
        Judgment j = Fixtures.judgment("p1", Verdict.B, 0.9, false);
        Critique critique = Critique.newBuilder().setCritiqueId("c1").setGenerationId("g-p1-a").setPromptId("q-p1").setJudgeModel("m")
                .setInstructionFollowing(new CritiqueAspect(7, "ok")).setCorrectness(new CritiqueAspect(8, ""))
                .setStyle(new CritiqueAspect(6, "wordy \u00e9\u4e2d")).setCreatedAt(Instant.ofEpochMilli(5)).build();
        RankedResponse a = RankedResponse.newBuilder().setGenerationId("g-p1-a").setResponse("answer a").setCritique(critique)
                .setThumbsUp(2).setThumbsDown(1).build();
        RankedResponse b = RankedResponse.newBuilder().setGenerationId("g-p1-b").setResponse("").setCritique(null).build();
        return List.of(
                feedback(7),
                PolicyGeneration.newBuilder().setGenerationId("g1").setPromptId("q1")
                        .setPrompt(List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hi")))
                        .setResponse("hello").setPolicyModel("m").setSampling(new SamplingParams(0.7, null, 256, 42L))
                        .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_123L)).setTags(Map.of("source", "hh", "slice", "a")).build(),
                j,
                EscalationRequest.newBuilder().setEscalationId("e1").setPairId("p1").setPair(j.getPair())
                        .setReason(EscalationReason.AUDIT).setJudgment(j).setNotBefore(Instant.ofEpochMilli(99))
                        .setCreatedAt(Instant.ofEpochMilli(100)).build(),
                EscalationRequest.newBuilder().setEscalationId("e2").setPairId("p1").setPair(j.getPair())
                        .setReason(EscalationReason.JUDGE_UNAVAILABLE).setJudgment(null).setNotBefore(null)
                        .setCreatedAt(Instant.ofEpochMilli(101)).build(),
                critique,
                PreferenceLabel.newBuilder().setPairId("p1").setPromptId("q-p1").setPrompt(j.getPair().getPrompt()).setChosen(a)
                        .setRejected(b).setSource(PreferenceSource.AI_HUMAN).setStrength(0.5).setAiConfidence(0.9)
                        .setHumanAgreement(null).setJudgeModel("m").setCreatedAt(Instant.ofEpochMilli(-5)).build(),
                PairingState.newBuilder().setResponses(List.of(j.getPair().getA())).setSeenIds(List.of("g-p1-a"))
                        .setResponseHashes(List.of("abc")).setLastSeen(Instant.ofEpochMilli(7)).build(),
                new PairLink("p1", "g-p1-a"),
                RewardModelVersion.newBuilder().setVersion("v1").setPath("/m").setPublished(true)
                        .setMetrics(Map.of("accuracy", 0.7)).setDataOffsets(Map.of("0", 12L)).setCreatedAt(Instant.ofEpochMilli(3)).build());
    }

    @Test
    void everyRecordShapeIsWrittenAsTheDefaultProviderWritesItAndReadsBack() throws Exception {
        InMemoryRegistry registry = new InMemoryRegistry();
        AvroSerdes serdes = AvroSerdes.inMemory(registry);
        var serializer = serdes.<SpecificRecord>serializer();
        var deserializer = serdes.<SpecificRecord>deserializer();
        var plain = DefaultProvider.<SpecificRecord>serializer(registry, serdes);
        for (SpecificRecord r : everyShape()) {
            String topic = "t-" + r.getSchema().getName();
            byte[] expected = plain.serialize(topic, r);
            assertThat(serializer.serialize(topic, r)).as(r.getSchema().getName()).isEqualTo(expected);
            assertThat(deserializer.deserialize(topic, expected)).isEqualTo(r);
        }
        // threads share a writer (a producer serializes on its callers' threads): each encodes in its own buffer
        List<SpecificRecord> records = everyShape();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        SpecificRecord r = records.get(i % records.size());
                        String topic = "t-" + r.getSchema().getName();
                        if (!java.util.Arrays.equals(serializer.serialize(topic, r), plain.serialize(topic, r))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (var f : done) {
                assertThat(f.get(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRecordLargerThanTheKeptBufferIsWrittenWhole() {
        InMemoryRegistry registry = new InMemoryRegistry();
        AvroSerdes serdes = AvroSerdes.inMemory(registry);
        var serializer = serdes.<UserFeedback>serializer();
        var deserializer = serdes.<UserFeedback>deserializer();
        UserFeedback big = UserFeedback.newBuilder(feedback(1)).setComment("x".repeat(BufferedDatumWriter.KEEP_BYTES * 3)).build();
        assertThat(deserializer.deserialize("feedback", serializer.serialize("feedback", big))).isEqualTo(big);
        assertThat(deserializer.deserialize("feedback", serializer.serialize("feedback", feedback(2)))).isEqualTo(feedback(2));
    }

    @Test
    void theSerdesRoundTripThroughItAndWriteWhatTheDefaultProviderWrites() {
        InMemoryRegistry registry = new InMemoryRegistry();
        AvroSerdes serdes = AvroSerdes.inMemory(registry);
        var serializer = serdes.<UserFeedback>serializer();
        var deserializer = serdes.<UserFeedback>deserializer();
        var plain = DefaultProvider.<UserFeedback>serializer(registry, serdes);
        for (int i = 0; i < 50; i++) {
            byte[] bytes = serializer.serialize("feedback", feedback(i));
            assertThat(deserializer.deserialize("feedback", bytes)).isEqualTo(feedback(i));
            assertThat(bytes).as("same bytes as the default provider").isEqualTo(plain.serialize("feedback", feedback(i)));
        }
    }

    /** Apicurio's serializer with the same settings but its own default datum provider: the bytes to match. */
    private static final class DefaultProvider {
        static <T> io.apicurio.registry.serde.avro.AvroKafkaSerializer<T> serializer(InMemoryRegistry registry, AvroSerdes serdes) {
            var config = new java.util.HashMap<>(serdes.config());
            config.remove(io.apicurio.registry.serde.avro.AvroSerdeConfig.AVRO_DATUM_PROVIDER);
            var plain = new io.apicurio.registry.serde.avro.AvroKafkaSerializer<T>(registry);
            plain.configure(config, false);
            return plain;
        }
    }
}
