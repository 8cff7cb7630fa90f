package dev.rlaif.common.serde;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.topic.Topic;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.util.HashMap;
import java.util.Map;

/**
 * Makes the Avro serdes of every topic: Apicurio's serde writing the Confluent wire format
 * (magic byte 0, 4-byte schema id, Avro binary), so Confluent-serde consumers read our topics too.
 * With a registry URL it talks to that registry: Apicurio Registry 3.x through its v3 API (URL ending in
 * {@code /apis/registry/v3}) or 2.x through its v2 API ({@code /apis/registry/v2}, e.g. {@code ./rlaif registry});
 * with a {@code file:} URL, or none, it uses an {@link InMemoryRegistry} of this process (durable or not).
 */
public final class AvroSerdes {

    private final String registryUrl;
    private final RegistryClientFacade inMemory;

    private AvroSerdes(String registryUrl, RegistryClientFacade inMemory) {
        this.registryUrl = registryUrl;
        this.inMemory = inMemory;
    }

    /**
     * Serdes for the given settings: a registry server when {@code registryUrl} is an http(s) URL (its path picks the
     * client: {@code /apis/registry/v3} for Apicurio 3.x, {@code /apis/registry/v2} for 2.x), the durable in-memory
     * registry of this process when it is a {@code file:} URL (a journal, see {@link InMemoryRegistry#durable}),
     * else the JVM-wide in-memory one.
     */
    public static AvroSerdes from(KafkaSettings settings) {
        String url = settings.registryUrl();
        if (url == null) {
            return inMemory(InMemoryRegistry.shared());
        }
        if (url.startsWith("file:")) {
            return inMemory(InMemoryRegistry.durable(java.nio.file.Path.of(java.net.URI.create(url))));
        }
        return new AvroSerdes(url, null);
    }

    /** Serdes backed by the given in-memory registry (tests may use a fresh one). */
    public static AvroSerdes inMemory(RegistryClientFacade registry) {
        return new AvroSerdes(null, registry);
    }

    /** Configuration shared by serializers and deserializers. */
    public Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>();
        if (registryUrl != null) {
            config.put(SerdeConfig.REGISTRY_URL, registryUrl);
        }
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, true);
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT_IF_EXISTS, "FIND_OR_CREATE_VERSION");
        config.put("apicurio.registry.headers.enabled", false);
        config.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        return config;
    }

    /** The value serde of a topic. */
    public <V extends SpecificRecord> Serde<V> valueSerde(Topic<V> topic) {
        return valueSerde(topic.valueType());
    }

    /** A value serde for an Avro record class. */
    public <V extends SpecificRecord> Serde<V> valueSerde(Class<V> type) {
        return Serdes.serdeFrom(serializer(), deserializer());
    }

    /** A configured value serializer. */
    public <V extends SpecificRecord> Serializer<V> serializer() {
        AvroKafkaSerializer<V> s = inMemory == null ? new AvroKafkaSerializer<>() : new AvroKafkaSerializer<>(inMemory);
        s.configure(config(), false);
        return s;
    }

    /** A configured value deserializer producing SpecificRecords. */
    public <V extends SpecificRecord> Deserializer<V> deserializer() {
        AvroKafkaDeserializer<V> d = inMemory == null ? new AvroKafkaDeserializer<>() : new AvroKafkaDeserializer<>(inMemory);
        d.configure(config(), false);
        return d;
    }
}
