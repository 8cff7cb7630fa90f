package dev.rlaif.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The evolution rule: every record must stay backward compatible with its last released version (a consumer on
 * the new schema reads what producers on the old one wrote). Released versions live under
 * {@code src/test/resources/released/<version>/<Record>.avsc}; {@code ReleaseSchemas} writes a new set.
 */
class SchemaCompatibilityTest {

    static final String LAST_RELEASE = "0.1.0";

    static Map<String, Schema> current() {
        Map<String, Schema> m = new TreeMap<>();
        for (Schema s : Rlaif.PROTOCOL.getTypes()) {
            if (s.getType() == Schema.Type.RECORD) {
                m.put(s.getName(), s);
            }
        }
        return m;
    }

    static Schema released(String version, String name) throws IOException {
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/released/" + version + "/" + name + ".avsc")) {
            return in == null ? null : new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyRecordReadsDataWrittenWithItsLastReleasedSchema() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (var e : current().entrySet()) {
            Schema old = released(LAST_RELEASE, e.getKey());
            if (old == null) {
                continue; // a record added since the release has nothing to be compatible with
            }
            checked++;
            var result = SchemaCompatibility.checkReaderWriterCompatibility(e.getValue(), old);
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                problems.add(e.getKey() + ": " + result.getResult().getIncompatibilities());
            }
        }
        assertThat(checked).as("released schemas found").isGreaterThanOrEqualTo(10);
        assertThat(problems).as("backward-incompatible changes").isEmpty();
    }

    @Test
    void noReleasedRecordDisappeared() throws IOException {
        for (String name : List.of("PolicyGeneration", "UserFeedback", "ComparisonPair", "Judgment", "Critique",
                "EscalationRequest", "HumanLabel", "PreferenceLabel", "RewardModelVersion")) {
            assertThat(released(LAST_RELEASE, name)).as(name + " released").isNotNull();
            assertThat(current()).containsKey(name);
        }
    }

    @Test
    void theCheckCatchesAFieldAddedWithoutDefault() {
        Schema old = SchemaBuilderHelper.record("{\"name\":\"a\",\"type\":\"string\"}");
        Schema added = SchemaBuilderHelper.record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}");
        Schema addedWithDefault = SchemaBuilderHelper.record("{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(added, old).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.INCOMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(addedWithDefault, old).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void everyFieldOfEveryRecordIsDocumented() {
        List<String> undocumented = new ArrayList<>();
        for (Schema s : current().values()) {
            if (s.getDoc() == null || s.getDoc().isBlank()) {
                undocumented.add(s.getName());
            }
            for (Schema.Field f : s.getFields()) {
                if ((f.doc() == null || f.doc().isBlank())) {
                    undocumented.add(s.getName() + "." + f.name());
                }
            }
        }
        assertThat(undocumented).isEmpty();
    }

    static final class SchemaBuilderHelper {
        static Schema record(String fields) {
            return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"T\",\"fields\":[" + fields + "]}");
        }
    }
}
