package dev.rlaif.common.serde;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
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
 *
 * <p>Writers of specific records encode through a {@link BufferedDatumWriter} with Avro's custom coders on (see
 * {@link #customCoders}): the same bytes, about half the encoding time in a micro-loop (0.47 instead of 1.0 µs for a
 * judgment).
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
        boolean specific = data instanceof SpecificRecord;
        Map<Schema, DatumWriter<T>> cache = specific ? specificWriters : genericWriters;
        DatumWriter<T> writer = cache.get(schema);
        if (writer == null) {
            writer = specific ? new BufferedDatumWriter<>(new SpecificDatumWriter<>(schema, customCoders(schema)))
                    : super.createDatumWriter(data, schema);
            bounded(cache).put(schema, writer);
        }
        return writer;
    }

    /**
     * The generated class's model (its logical-type conversions) with custom coders on: records whose generated class
     * has them (those without logical types, e.g. {@code PairedResponse}, {@code ChatMessage}, {@code PairLink})
     * are written by their generated {@code customEncode}, the same bytes as the generic path, which Avro 1.12 keeps
     * by default ({@code org.apache.avro.specific.use_custom_coders=false}). A judgment encoded about 15% faster so.
     */
    private static SpecificData customCoders(Schema schema) {
        SpecificData generated = SpecificData.getForSchema(schema);
        SpecificData model = new SpecificData(generated.getClassLoader());
        generated.getConversions().forEach(model::addLogicalTypeConversion);
        model.setCustomCoders(true);
        return model;
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
