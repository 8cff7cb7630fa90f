package dev.rlaif.judge.critique;

import dev.rlaif.judge.Fixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CritiqueParserTest {

    @Test
    void readsTheThreeAspectsFromFencedJson() {
        var p = CritiqueParser.parse("Here is my review:\n```json\n" + Fixtures.CRITIQUE_JSON + "\n```").orElseThrow();
        assertThat(p.instructionFollowing().getScore()).isEqualTo(8);
        assertThat(p.correctness().getScore()).isEqualTo(7);
        assertThat(p.style().getScore()).isEqualTo(6);
        assertThat(p.style().getText()).isEqualTo("ok");
        assertThat(p.summary()).isEqualTo("fine");
    }

    @Test
    void rejectsOutOfRangeMissingOrNonNumericScores() {
        assertThat(CritiqueParser.parse(Fixtures.CRITIQUE_JSON.replace("\"score\": 8", "\"score\": 11"))).isEmpty();
        assertThat(CritiqueParser.parse(Fixtures.CRITIQUE_JSON.replace("\"score\": 8", "\"score\": 0"))).isEmpty();
        assertThat(CritiqueParser.parse(Fixtures.CRITIQUE_JSON.replace("\"score\": 8", "\"score\": 7.5"))).isEmpty();
        assertThat(CritiqueParser.parse(Fixtures.CRITIQUE_JSON.replace("\"score\": 8", "\"score\": \"high\""))).isEmpty();
        assertThat(CritiqueParser.parse(Fixtures.CRITIQUE_JSON.replace("correctness", "accuracy"))).isEmpty();
        assertThat(CritiqueParser.parse("Scores: 8, 7, 6")).isEmpty();
        assertThat(CritiqueParser.parse("{not json}")).isEmpty();
    }

    @Test
    void boundsLongTexts() {
        String longText = "x".repeat(5000);
        var p = CritiqueParser.parse(Fixtures.CRITIQUE_JSON.replace("\"fine\"", "\"" + longText + "\"")).orElseThrow();
        assertThat(p.summary()).hasSize(CritiqueParser.MAX_TEXT);
    }
}
