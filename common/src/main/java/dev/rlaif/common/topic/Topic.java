package dev.rlaif.common.topic;

import org.apache.avro.specific.SpecificRecord;

/**
 * One topic of the pipeline: its name, what its key is, the Avro record of its values, and how it is kept.
 *
 * @param name           topic name
 * @param key            what the (string) key holds, for documentation and the README table
 * @param valueType      the Avro SpecificRecord class of the values
 * @param cleanupPolicy  "delete" or "compact"
 * @param external       true when producers outside this system may write to it (it then has a dead-letter topic fed by its consumers)
 */
public record Topic<V extends SpecificRecord>(String name, String key, Class<V> valueType, String cleanupPolicy,
                                              boolean external) {

    /** Suffix of dead-letter topics. */
    public static final String DLQ_SUFFIX = ".dlq";

    /** The dead-letter topic of this topic: raw records that could not be read or processed, with headers saying why. */
    public String dlq() {
        return name + DLQ_SUFFIX;
    }

    @Override
    public String toString() {
        return name;
    }
}
