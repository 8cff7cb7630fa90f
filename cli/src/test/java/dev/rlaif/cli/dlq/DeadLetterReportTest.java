package dev.rlaif.cli.dlq;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadLetterReportTest {

    private static DeadLetter letter(long offset, String reason, String service, long epochSecond) {
        return new DeadLetter("pairs.dlq", 0, offset, Instant.ofEpochSecond(epochSecond), reason, null, service,
                "pairs", 1, offset + 100, null, "v".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void countsPerReasonAndServiceMostFrequentFirstAndLatestFirst() {
        List<DeadLetter> l = List.of(letter(0, "b", "judge", 10), letter(1, "a", "judge", 30), letter(2, "a", "router", 20),
                letter(3, "x".repeat(500), "judge", 5));
        assertThat(DeadLetterReport.byReason(l)).containsExactly(java.util.Map.entry("a", 2L), java.util.Map.entry("b", 1L),
                java.util.Map.entry("x".repeat(120) + "…", 1L));
        assertThat(DeadLetterReport.byService(l).keySet()).containsExactly("judge", "router");
        assertThat(DeadLetterReport.latest(l, 2)).extracting(DeadLetter::offset).containsExactly(1L, 2L);
        assertThat(l.get(0).source()).isEqualTo("pairs-1@100");
    }

    @Test
    void previewsDecodedTextOrHexAndCutsLongValues() {
        assertThat(DeadLetterReport.preview(null, null)).contains("tombstone");
        assertThat(DeadLetterReport.preview("a\nb".getBytes(StandardCharsets.UTF_8), null)).isEqualTo("a b");
        assertThat(DeadLetterReport.preview(new byte[]{0, 1, (byte) 0xff}, null)).isEqualTo("hex 0001ff (3 bytes)");
        assertThat(DeadLetterReport.preview(new byte[]{0}, "{\"pair_id\": \"p\"}")).isEqualTo("{\"pair_id\": \"p\"}");
        assertThat(DeadLetterReport.preview("y".repeat(400).getBytes(StandardCharsets.UTF_8), null)).hasSize(161);
    }

    @Test
    void sinceIsAnInstantOrAnAge() {
        Instant now = Instant.parse("2026-11-30T10:00:00Z");
        assertThat(DlqCommand.parseSince("2026-11-30T08:00:00Z", now)).isEqualTo(Instant.parse("2026-11-30T08:00:00Z"));
        assertThat(DlqCommand.parseSince("90m", now)).isEqualTo(Instant.parse("2026-11-30T08:30:00Z"));
        assertThat(DlqCommand.parseSince("1d", now)).isEqualTo(Instant.parse("2026-11-29T10:00:00Z"));
        assertThat(DlqCommand.parseSince("PT2H", now)).isEqualTo(Instant.parse("2026-11-30T08:00:00Z"));
        assertThatThrownBy(() -> DlqCommand.parseSince("yesterday", now)).hasMessageContaining("--since");
        assertThat(DlqCommand.dlqTopic("pairs")).isEqualTo("pairs.dlq");
        assertThat(DlqCommand.dlqTopic("pairs.dlq")).isEqualTo("pairs.dlq");
    }
}
