package dev.rlaif.common.serde;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferedDatumWriterTest {

    private static final Schema STRING = Schema.create(Schema.Type.STRING);

    /** Writes half a record, then fails: what a datum writer does on a field it cannot encode. */
    private static final class FailsMidway implements DatumWriter<Object> {
        @Override
        public void setSchema(Schema schema) {
        }

        @Override
        public void write(Object datum, Encoder out) throws IOException {
            if ("boom".equals(datum)) {
                out.writeString("the first half of a record");
                throw new IOException("cannot encode the second half");
            }
            new GenericDatumWriter<Object>(STRING).write(datum, out);
        }
    }

    private static byte[] write(DatumWriter<Object> writer, Object datum) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder direct = EncoderFactory.get().directBinaryEncoder(bytes, null);
        writer.write(datum, direct);
        direct.flush();
        return bytes.toByteArray();
    }

    @Test
    void aWriteThatFailedMidwayLeavesNothingInTheNextRecord() throws IOException {
        BufferedDatumWriter<Object> buffered = new BufferedDatumWriter<>(new FailsMidway());
        byte[] expected = write(new GenericDatumWriter<>(STRING), "the next record");

        assertThat(write(buffered, "warm")).isEqualTo(write(new GenericDatumWriter<>(STRING), "warm"));
        assertThatThrownBy(() -> write(buffered, "boom")).isInstanceOf(IOException.class);
        assertThat(write(buffered, "the next record")).isEqualTo(expected);
    }
}
