package dev.rlaif.common.http;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BodyTypeTest {

    @Test
    void onlyExactlyJsonOrNdjsonWithOptionalParameters() {
        assertThat(BodyType.of("application/json")).contains(BodyType.JSON);
        assertThat(BodyType.of("Application/JSON; charset=utf-8")).contains(BodyType.JSON);
        assertThat(BodyType.of("application/json;charset=\"UTF-8\"")).contains(BodyType.JSON);
        assertThat(BodyType.of("application/x-ndjson")).contains(BodyType.NDJSON);
        assertThat(BodyType.of("application/jsonl; charset=utf-8")).contains(BodyType.NDJSON);
        assertThat(BodyType.of("application/jsonfoo")).isEqualTo(Optional.empty());
        assertThat(BodyType.of("application/json-seq")).isEmpty();
        assertThat(BodyType.of("application/x-ndjsonx")).isEmpty();
        assertThat(BodyType.of("application/json; charset=latin1")).isEmpty();
        assertThat(BodyType.of("application/json; garbage")).isEmpty();
        assertThat(BodyType.of("text/plain")).isEmpty();
        assertThat(BodyType.of("")).isEmpty();
        assertThat(BodyType.of(null)).isEmpty();
    }

    @Test
    void theRejectionNamesWhatIsTakenAndWhatCame() {
        assertThat(BodyType.unsupportedMessage("text/plain", BodyType.JSON, BodyType.NDJSON)).isEqualTo(
                "Content-Type must be application/json or application/x-ndjson (parameters allowed, charset utf-8 if given), was 'text/plain'");
        assertThat(BodyType.unsupportedMessage(null, BodyType.JSON)).endsWith("must be application/json (parameters allowed, charset utf-8 if given), was 'none'");
        assertThat(BodyType.unsupportedMessage("x".repeat(500), BodyType.JSON)).endsWith("was '" + "x".repeat(100) + "...'");
    }
}
