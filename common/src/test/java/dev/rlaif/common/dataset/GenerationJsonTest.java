package dev.rlaif.common.dataset;

import dev.rlaif.common.json.Json;
import dev.rlaif.common.validation.FieldError;
import dev.rlaif.common.validation.ValidationException;
import dev.rlaif.schema.PolicyGeneration;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class GenerationJsonTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void parsesAFullRecordAndRoundTrips() {
        String json = """
                {"generation_id": "g1", "prompt_id": "p1",
                 "prompt": [{"role": "system", "content": "Be nice"}, {"role": "user", "content": "Hi"}],
                 "response": "Hello", "policy_model": "llama", "policy_version": "v2",
                 "sampling": {"temperature": 0.7, "top_p": 0.9, "max_tokens": 64, "seed": 3},
                 "created_at": "2026-02-01T10:00:00Z", "tags": {"src": "rollout"}}""";
        PolicyGeneration g = GenerationJson.parse(Json.read(json), GenerationJson.Limits.DEFAULT, clock);
        assertThat(g.getPrompt()).hasSize(2);
        assertThat(g.getSampling().getTemperature()).isEqualTo(0.7);
        assertThat(g.getCreatedAt()).isEqualTo(Instant.parse("2026-02-01T10:00:00Z"));
        PolicyGeneration again = GenerationJson.parse(GenerationJson.toJson(g), GenerationJson.Limits.DEFAULT, clock);
        assertThat(again).isEqualTo(g);
    }

    @Test
    void derivesAStableIdWhenNoneIsGiven() {
        String json = "{\"prompt_id\": \"p\", \"prompt\": \"Q\", \"response\": \"R\", \"policy_model\": \"m\"}";
        PolicyGeneration a = GenerationJson.parse(Json.read(json), GenerationJson.Limits.DEFAULT, clock);
        PolicyGeneration b = GenerationJson.parse(Json.read(json), GenerationJson.Limits.DEFAULT, clock);
        assertThat(a.getGenerationId()).startsWith("g-").isEqualTo(b.getGenerationId());
        assertThat(a.getCreatedAt()).isEqualTo(clock.instant());
    }

    @Test
    void namesEveryBadField() {
        String json = """
                {"prompt_id": 7, "prompt": [{"role": "robot", "content": "x"}, "oops"],
                 "policy_model": "", "sampling": {"temperature": -1, "max_tokens": 1.5},
                 "created_at": "yesterday", "tags": {"a": {"b": 1}}}""";
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> GenerationJson.parse(Json.read(json), GenerationJson.Limits.DEFAULT, clock));
        assertThat(e.errors()).extracting(FieldError::field).containsExactlyInAnyOrder(
                "prompt_id", "prompt[0].role", "prompt[1]", "response", "policy_model",
                "sampling.temperature", "sampling.max_tokens", "created_at", "tags.a");
    }

    @Test
    void enforcesSizeLimits() {
        var limits = new GenerationJson.Limits(8, 10, 2, 1);
        String json = "{\"prompt_id\": \"p\", \"prompt\": \"Q\", \"response\": \"way too long a response\", \"policy_model\": \"m\"}";
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> GenerationJson.parse(Json.read(json), limits, clock));
        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.field()).isEqualTo("response");
            assertThat(err.message()).contains("at most 10");
        });
    }
}
