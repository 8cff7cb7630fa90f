package dev.rlaif.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.dataset.GenerationJson;
import dev.rlaif.common.validation.FieldError;
import dev.rlaif.schema.PolicyGeneration;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway's parser refuses, naming line and field, every body issue 11 found accepted or answered with 500. */
class BatchParserTest {

    static final Function<JsonNode, PolicyGeneration> PARSE = n -> GenerationJson.parse(n, GenerationJson.Limits.DEFAULT,
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    static String gen(String id, String extra) {
        return "{\"generation_id\":\"" + id + "\",\"prompt_id\":\"p\",\"prompt\":\"q\",\"response\":\"r\",\"policy_model\":\"m\"" + extra + "}";
    }

    static BatchParser.Batch<PolicyGeneration> ndjson(String body) throws Exception {
        return BatchParser.parse(body.getBytes(StandardCharsets.UTF_8), true, 100, PARSE);
    }

    static FieldError only(BatchParser.Batch<?> b, int line) {
        assertThat(b.errors()).hasSize(1);
        assertThat(b.errors().get(0).line()).isEqualTo(line);
        return b.errors().get(0).errors().get(0);
    }

    @Test
    void datesOutsideASaneRangeAreFieldErrorsNotServerErrors() throws Exception {
        var b = ndjson(gen("a", "") + "\n" + gen("b", ",\"created_at\":\"+1000000000-01-01T00:00:00Z\""));
        assertThat(b.records()).hasSize(1);
        FieldError e = only(b, 2);
        assertThat(e.field()).isEqualTo("created_at");
        assertThat(e.message()).contains("between");
        assertThat(only(ndjson(gen("c", ",\"created_at\":-99999999999999999")), 1).field()).isEqualTo("created_at");
        assertThat(only(ndjson(gen("c", ",\"created_at\":123456789012345678901234567890")), 1).field()).isEqualTo("created_at");
        assertThat(only(ndjson(gen("c", ",\"created_at\":\"2300-01-01T00:00:00Z\"")), 1).field()).isEqualTo("created_at");
        assertThat(ndjson(gen("c", ",\"created_at\":\"2025-06-01T00:00:00Z\"")).records()).hasSize(1);
    }

    @Test
    void hugeNumbersDoNotWrapAround() throws Exception {
        FieldError e = only(ndjson(gen("n", ",\"sampling\":{\"max_tokens\":18446744073709551617}")), 1);
        assertThat(e.field()).isEqualTo("sampling.max_tokens");
        assertThat(only(ndjson(gen("n", ",\"sampling\":{\"temperature\":1e999}")), 1).field()).isEqualTo("sampling.temperature");
        assertThat(only(ndjson(gen("n", ",\"sampling\":{\"seed\":1e400}")), 1).field()).isEqualTo("sampling.seed");
    }

    @Test
    void trailingContentAfterTheJsonValueIsRefused() throws Exception {
        assertThat(only(ndjson(gen("a", "") + gen("b", "")), 1).message()).contains("not valid JSON");
        assertThat(only(ndjson(gen("a", "") + "}}}"), 1).field()).isEqualTo("$");
        assertThat(only(ndjson(gen("a", "") + "\n" + gen("b", "") + " x"), 2).field()).isEqualTo("$");
        assertThatThrownBy(() -> BatchParser.parse((gen("a", "") + gen("b", "")).getBytes(StandardCharsets.UTF_8), false, 100, PARSE))
                .isInstanceOf(dev.rlaif.common.validation.ValidationException.class);
        assertThatThrownBy(() -> BatchParser.parse(("[" + gen("a", "") + "]]").getBytes(StandardCharsets.UTF_8), false, 100, PARSE))
                .isInstanceOf(dev.rlaif.common.validation.ValidationException.class);
    }

    @Test
    void invalidUtf8IsReportedWithItsLineNotReplaced() {
        byte[] good = (gen("a", "") + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = gen("b", "").replace("\"r\"", "\"r\u00ff\"").getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = new byte[good.length + bad.length];
        System.arraycopy(good, 0, body, 0, good.length);
        System.arraycopy(bad, 0, body, good.length, bad.length);
        assertThatThrownBy(() -> BatchParser.parse(body, true, 100, PARSE))
                .isInstanceOfSatisfying(BatchParser.MalformedBodyException.class, e -> {
                    assertThat(e.error().line()).isEqualTo(2);
                    assertThat(e.error().errors().get(0).message()).contains("not valid UTF-8");
                });
    }

    @Test
    void unpairedSurrogatesAreRefusedWithTheirField() throws Exception {
        FieldError e = only(ndjson(gen("s", "").replace("\"r\"", "\"bad \\ud800 text\"")), 1);
        assertThat(e.field()).isEqualTo("response");
        assertThat(e.message()).contains("unpaired surrogate");
        assertThat(only(ndjson(gen("s", ",\"tags\":{\"k\":\"\\udc00\"}")), 1).field()).isEqualTo("tags.k");
        assertThat(only(ndjson(gen("s", "").replace("\"q\"", "[{\"role\":\"user\",\"content\":\"x\\ud83d\"}]")), 1).field())
                .isEqualTo("prompt[0].content");
        // A proper pair (an emoji) is fine.
        assertThat(ndjson(gen("s", "").replace("\"r\"", "\"ok \\ud83d\\ude00\"")).records()).hasSize(1);
    }

    @Test
    void deepNestingIsAClientError() throws Exception {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThat(only(ndjson(gen("d", ",\"tags\":" + deep)), 1).field()).isIn("$", "tags");
    }

    @Test
    void recordsKeepTheirLineNumbers() throws Exception {
        var b = ndjson(gen("a", "") + "\n\n{}\n" + gen("b", ""));
        assertThat(b.lines()).containsExactly(1, 4);
        assertThat(b.errors().get(0).line()).isEqualTo(3);
    }
}
