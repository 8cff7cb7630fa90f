package dev.rlaif.common.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BearerTokensTest {

    @Test
    void matchesOnlyConfiguredTokens() {
        BearerTokens t = new BearerTokens(List.of("s3cret", "other-token"));
        assertThat(t.allows("Bearer s3cret")).isTrue();
        assertThat(t.allows("bearer other-token ")).isTrue();
        assertThat(t.allows("Bearer s3cre")).isFalse();
        assertThat(t.allows("Bearer s3cret2")).isFalse();
        assertThat(t.allows("Basic s3cret")).isFalse();
        assertThat(t.allows("Bearer ")).isFalse();
        assertThat(t.allows(null)).isFalse();
        assertThat(new BearerTokens(List.of()).allows(null)).as("no tokens: authentication off").isTrue();
    }
}
