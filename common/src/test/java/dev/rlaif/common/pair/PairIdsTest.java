package dev.rlaif.common.pair;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ids are persisted (pair ids, escalation ids, generation ids): their values must never change. */
class PairIdsTest {

    @Test
    void hashIsThePrefixOfTheSha256HexDigest() {
        // expected values from Python's hashlib.sha256(text.encode()).hexdigest()[:length]
        assertThat(PairIds.hash("hello", 13)).isEqualTo("2cf24dba5fb0a");
        assertThat(PairIds.hash("hello", 7)).isEqualTo("2cf24db");
        assertThat(PairIds.hash("Grüße 🌿", 32)).isEqualTo("012e945ffbf2ed2f3eb6186bdf31c6df");
        assertThat(PairIds.hash("", 64)).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(PairIds.hash("hello", 0)).isEmpty();
    }

    @Test
    void pairIdIsTheSameInEitherOrder() {
        assertThat(PairIds.pairId("a", "b")).isEqualTo("p-59b271ae1bbcb1d31d41").isEqualTo(PairIds.pairId("b", "a"));
    }

    @Test
    void aRepeatedHashGivesTheSameValue() {
        String first = PairIds.hash("same text", 20);
        PairIds.hash("other text", 20);   // the per-thread digest is reset between uses
        assertThat(PairIds.hash("same text", 20)).isEqualTo(first);
    }

    @Test
    void lengthsOutsideTheDigestAreRefused() {
        assertThatThrownBy(() -> PairIds.hash("x", 65)).isInstanceOf(IllegalArgumentException.class);
    }
}
