package dev.rlaif.common.serde;

import dev.rlaif.common.json.Json;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The store serde writes exactly what the shared mapper writes (stores already on disk stay readable) and reads it back. */
class JsonSerdeTest {

    record Vote(String labelId, String choice, long at) {
    }

    record State(boolean aiLabeled, Map<String, Vote> annotators, List<String> labelIds, String fingerprint) {
    }

    @Test
    void writesWhatTheMapperWritesAndReadsItBack() throws Exception {
        State s = new State(true, Map.of("ann-1", new Vote("l-1", "A", 42L)), List.of("l-1"), null);
        Serde<State> serde = JsonSerde.of(State.class);
        byte[] bytes = serde.serializer().serialize("t", s);
        assertThat(bytes).isEqualTo(Json.MAPPER.writeValueAsBytes(s));
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(s);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void arraysAndUnknownFieldsAsBefore() {
        Serde<long[]> longs = JsonSerde.of(long[].class);
        assertThat(longs.deserializer().deserialize("t", longs.serializer().serialize("t", new long[]{3, 4}))).containsExactly(3, 4);
        // the shared mapper ignores fields it does not know (a store written by a newer version)
        byte[] newer = "{\"labelId\":\"l\",\"choice\":\"B\",\"at\":1,\"extra\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(JsonSerde.of(Vote.class).deserializer().deserialize("t", newer)).isEqualTo(new Vote("l", "B", 1));
    }
}
