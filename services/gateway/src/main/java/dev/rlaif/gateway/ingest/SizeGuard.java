package dev.rlaif.gateway.ingest;

import dev.rlaif.common.validation.FieldError;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.PairedResponse;
import dev.rlaif.schema.PolicyGeneration;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Refuses, before anything is sent, a record that Kafka could never take: a generation whose own record, or whose
 * pair with an equally large partner (pairing puts the prompt and both responses in one {@code pairs} record), is
 * larger than {@code maxRecordBytes}. Without it the gateway would acknowledge a generation that wedges (or, since
 * the production exception handler, dead-letters) its pair downstream. The refusal names the field to shorten:
 * the largest text of the record. Nothing is ever truncated.
 *
 * <p>Sizes are the Confluent wire format: 5 header bytes plus the Avro binary encoding, plus the key.
 */
public final class SizeGuard {

    /** Wire-format header: magic byte and 4-byte schema id. */
    static final int HEADER = 5;
    /** Bytes Kafka adds around one record (length, attributes, offsets, timestamp), counted generously. */
    public static final int HEADER_SLACK = 64;

    private final int maxRecordBytes;

    public SizeGuard(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /** An error when {@code bytes} (serialized value plus key) does not fit; the field is {@code field}. */
    public Optional<FieldError> checkRecord(long bytes, String field) {
        if (bytes <= maxRecordBytes) {
            return Optional.empty();
        }
        return Optional.of(new FieldError(field, "makes a record of " + bytes + " bytes; Kafka takes at most "
                + maxRecordBytes + " (RLAIF_GATEWAY_MAX_RECORD_BYTES); shorten it"));
    }

    /**
     * The pair check: the {@code pairs} record this generation makes with a partner as large as itself (key: a
     * pair id, at most 64 characters).
     */
    public Optional<FieldError> checkPair(PolicyGeneration g) {
        PairedResponse r = PairedResponse.newBuilder().setGenerationId(g.getGenerationId()).setResponse(g.getResponse())
                .setPolicyModel(g.getPolicyModel()).setPolicyVersion(g.getPolicyVersion()).build();
        ComparisonPair pair = ComparisonPair.newBuilder().setPairId("p-" + "0".repeat(62)).setPromptId(g.getPromptId())
                .setPrompt(g.getPrompt()).setA(r).setB(r).setCreatedAt(g.getCreatedAt()).setTags(g.getTags()).build();
        long bytes = HEADER + avroSize(pair) + 64;
        if (bytes <= maxRecordBytes) {
            return Optional.empty();
        }
        return Optional.of(new FieldError(largestField(g), "makes a pair of " + bytes + " bytes with an equally long "
                + "response to the same prompt; Kafka takes at most " + maxRecordBytes
                + " (RLAIF_GATEWAY_MAX_RECORD_BYTES); shorten it"));
    }

    /** The largest text field of a generation: {@code response} or {@code prompt[i].content}. */
    public static String largestField(PolicyGeneration g) {
        String field = "response";
        long best = g.getResponse().length() * 2L; // counted twice in a pair
        for (int i = 0; i < g.getPrompt().size(); i++) {
            ChatMessage m = g.getPrompt().get(i);
            if (m.getContent().length() > best) {
                best = m.getContent().length();
                field = "prompt[" + i + "].content";
            }
        }
        return field;
    }

    /** Bytes of the Avro binary encoding of a record (no registry needed). */
    @SuppressWarnings("unchecked")
    public static long avroSize(SpecificRecord record) {
        CountingStream out = new CountingStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            new SpecificDatumWriter<SpecificRecord>((Class<SpecificRecord>) record.getClass()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.count;
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

}
