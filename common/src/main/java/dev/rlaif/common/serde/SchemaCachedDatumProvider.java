package dev.rlaif.common.serde;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Apicurio's datum provider with its readers and writers cached by {@link Schema} instead of by fingerprint.
 *
 * <p>Why: Apicurio 3.1.7's {@link DefaultAvroDatumProvider} looks its cached reader or writer up by the schema's
 * parsing fingerprint, which it computes again for every record ({@code SchemaNormalization.parsingFingerprint64}:
 * the schema's canonical form rendered and hashed). Profiling {@code ./rlaif bench pipeline} put a quarter of all CPU
 * samples there. The schemas it is called with are a few long-lived instances (a SpecificRecord's {@code SCHEMA$}, the
 * resolver's cached schema per id), and {@link Schema} caches its hash code and answers {@code equals} on the same
 * instance at once, so a map keyed by the schema finds them without rendering anything. A miss falls through to the
 * default provider, which builds the same reader or writer as before. The maps are bounded like the default's.
 */
public final class SchemaCachedDatumProvider<T> extends DefaultAvroDatumProvider<T> {

    /** Entries kept per map at most; past it a map is cleared and refilled from the default provider. */
    static final int MAX_ENTRIES = 1000;

    private final Map<Schema, DatumWriter<T>> specificWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> genericWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public SchemaCachedDatumProvider() {
        super();
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        Map<Schema, DatumWriter<T>> cache = data instanceof SpecificRecord ? specificWriters : genericWriters;
        DatumWriter<T> writer = cache.get(schema);
        if (writer == null) {
            writer = super.createDatumWriter(data, schema);
            bounded(cache).put(schema, writer);
        }
        return writer;
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        DatumReader<T> reader = readers.get(schema);
        if (reader == null) {
            reader = super.createDatumReader(schema);
            bounded(readers).put(schema, reader);
        }
        return reader;
    }

    private static <V> Map<Schema, V> bounded(Map<Schema, V> cache) {
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        return cache;
    }
}
