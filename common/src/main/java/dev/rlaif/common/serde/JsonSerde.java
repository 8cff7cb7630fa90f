package dev.rlaif.common.serde;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.rlaif.common.json.Json;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.lang.reflect.Modifier;

/** A Jackson serde for a service's own internal store and repartition values (never on a catalog topic: those are Avro). */
public final class JsonSerde {

    private JsonSerde() {
    }

    public static <T> Serde<T> of(Class<T> type) {
        // a reader and writer built once, with their root (de)serializer looked up once, rather than per record as
        // MAPPER.readValue / writeValueAsBytes do; the writer is typed only where no subclass can come (final types),
        // so it writes exactly what writeValueAsBytes wrote
        ObjectReader reader = Json.MAPPER.readerFor(type);
        ObjectWriter writer = Modifier.isFinal(type.getModifiers()) ? Json.MAPPER.writerFor(type) : Json.MAPPER.writer();
        Serializer<T> ser = (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return writer.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new SerializationException("cannot write " + type.getSimpleName(), e);
            }
        };
        Deserializer<T> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return reader.readValue(bytes);
            } catch (IOException e) {
                throw new SerializationException("cannot read " + type.getSimpleName(), e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}
