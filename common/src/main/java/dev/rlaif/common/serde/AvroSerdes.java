package dev.rlaif.common.serde;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
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

    /** Room left in a producer request for the key, headers and record overhead. */
    public static final int HEADROOM_BYTES = 16 * 1024;

    private final String registryUrl;
    private final RegistryClientFacade inMemory;
    private final int maxValueBytes;

    private AvroSerdes(String registryUrl, RegistryClientFacade inMemory, int maxValueBytes) {
        this.registryUrl = registryUrl;
        this.inMemory = inMemory;
        this.maxValueBytes = maxValueBytes;
    }

    /**
     * Serdes for the given settings: a registry server when {@code registryUrl} is an http(s) URL (its path picks the
     * client: {@code /apis/registry/v3} for Apicurio 3.x, {@code /apis/registry/v2} for 2.x), the durable in-memory
     * registry of this process when it is a {@code file:} URL (a journal, see {@link InMemoryRegistry#durable}),
     * else the JVM-wide in-memory one.
     */
    public static AvroSerdes from(KafkaSettings settings) {
        int max = Clients.maxRequestBytes(settings) - HEADROOM_BYTES;
        String url = settings.registryUrl();
        if (url == null) {
            return new AvroSerdes(null, InMemoryRegistry.shared(), max);
        }
        if (url.startsWith("file:")) {
            return new AvroSerdes(null, InMemoryRegistry.durable(java.nio.file.Path.of(java.net.URI.create(url))), max);
        }
        return new AvroSerdes(url, null, max);
    }

    /** Serdes backed by the given in-memory registry (tests may use a fresh one). */
    public static AvroSerdes inMemory(RegistryClientFacade registry) {
        return new AvroSerdes(null, registry, Clients.DEFAULT_MAX_REQUEST_BYTES - HEADROOM_BYTES);
    }

    /** The largest serialized value the Streams serdes write ({@code max.request.size} less {@link #HEADROOM_BYTES}). */
    public int maxValueBytes() {
        return maxValueBytes;
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
        // readers and writers found by schema instance, not by a fingerprint computed per record
        config.put(AvroSerdeConfig.AVRO_DATUM_PROVIDER, SchemaCachedDatumProvider.class);
        return config;
    }

    /** The value serde of a topic. */
    public <V extends SpecificRecord> Serde<V> valueSerde(Topic<V> topic) {
        return valueSerde(topic.valueType());
    }

    /**
     * A value serde for an Avro record class (the Streams services' serde): its serializer refuses values over
     * {@link #maxValueBytes()}, so a record too large for Kafka is dead-lettered instead of wedging the task.
     */
    public <V extends SpecificRecord> Serde<V> valueSerde(Class<V> type) {
        return Serdes.serdeFrom(new SizeLimitedSerializer<>(this.<V>serializer(), maxValueBytes), deserializer());
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
