package dev.rlaif.common.serde;

import dev.rlaif.schema.FeedbackKind;
import dev.rlaif.schema.UserFeedback;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;

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

    @Test
    void theSerdesRoundTripThroughItAndWriteWhatTheDefaultProviderWrites() {
        InMemoryRegistry registry = new InMemoryRegistry();
        AvroSerdes serdes = AvroSerdes.inMemory(registry);
        var serializer = serdes.<UserFeedback>serializer();
        var deserializer = serdes.<UserFeedback>deserializer();
        var config = new java.util.HashMap<>(serdes.config());
        config.remove(io.apicurio.registry.serde.avro.AvroSerdeConfig.AVRO_DATUM_PROVIDER);
        var plain = new io.apicurio.registry.serde.avro.AvroKafkaSerializer<UserFeedback>(registry);
        plain.configure(config, false);
        for (int i = 0; i < 50; i++) {
            byte[] bytes = serializer.serialize("feedback", feedback(i));
            assertThat(deserializer.deserialize("feedback", bytes)).isEqualTo(feedback(i));
            assertThat(bytes).as("same bytes as the default provider").isEqualTo(plain.serialize("feedback", feedback(i)));
        }
    }
}
