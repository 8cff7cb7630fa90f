package dev.rlaif.common.consume;

import dev.rlaif.common.topic.Topic;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record a handler wants written: the runtime serializes it (string key, Avro value in the catalog's wire
 * format) and counts the input done only once every output of it is acknowledged.
 *
 * @param topic topic name
 * @param key   record key (UTF-8), or null
 * @param value the Avro value
 */
public record Output(String topic, String key, SpecificRecord value) {

    public static <V extends SpecificRecord> Output of(Topic<V> topic, String key, V value) {
        return new Output(topic.name(), key, value);
    }
}
