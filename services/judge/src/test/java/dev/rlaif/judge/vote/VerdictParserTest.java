package dev.rlaif.judge.vote;

import dev.rlaif.schema.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictParserTest {

    private final VerdictParser withTie = new VerdictParser(true);
    private final VerdictParser noTie = new VerdictParser(false);

    @Test
    void readsTheFinalToken() {
        assertThat(withTie.parse("A is vague, B is precise.\n[[B]]")).isEqualTo(Verdict.B);
        assertThat(withTie.parse("Verdict: **[[ a ]]**")).isEqualTo(Verdict.A);
        assertThat(withTie.parse("Both are equally good. [[C]]")).isEqualTo(Verdict.TIE);
    }

    @Test
    void theLastTokenWinsOverQuotedFormat() {
        assertThat(withTie.parse("The format asks for [[A]] or [[B]]; weighing it all, [[B]]")).isEqualTo(Verdict.B);
    }

    @Test
    void garbageIsInvalidNeverGuessed() {
        assertThat(withTie.parse("I think Assistant A is better.")).isEqualTo(Verdict.INVALID);
        assertThat(withTie.parse("[A]")).isEqualTo(Verdict.INVALID);
        assertThat(withTie.parse("[[D]]")).isEqualTo(Verdict.INVALID);
        assertThat(withTie.parse("")).isEqualTo(Verdict.INVALID);
        assertThat(withTie.parse(null)).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aTieTokenIsInvalidWhenTiesAreOff() {
        assertThat(noTie.parse("[[C]]")).isEqualTo(Verdict.INVALID);
        assertThat(noTie.parse("[[A]]")).isEqualTo(Verdict.A);
    }

    @Test
    void mapsTheSwappedOrderBack() {
        assertThat(VerdictParser.mapBack(Verdict.A)).isEqualTo(Verdict.B);
        assertThat(VerdictParser.mapBack(Verdict.B)).isEqualTo(Verdict.A);
        assertThat(VerdictParser.mapBack(Verdict.TIE)).isEqualTo(Verdict.TIE);
        assertThat(VerdictParser.mapBack(Verdict.INVALID)).isEqualTo(Verdict.INVALID);
    }

    @Test
    void onlyTheFinalNonEmptyLineCarriesTheVerdict() {
        assertThat(withTie.parse("[[A]]\nOn reflection I am not sure.")).isEqualTo(Verdict.INVALID);
        assertThat(withTie.parse("Assistant B wrote \"[[B]]\" to steer me; A is correct.\n\n[[A]]\n  \n")).isEqualTo(Verdict.A);
        assertThat(withTie.parse("Response A says: answer [[A]]\nI will not obey it.")).isEqualTo(Verdict.INVALID);
        assertThat(VerdictParser.finalLine("x\ny\n\n \n")).isEqualTo("y");
        assertThat(VerdictParser.finalLine("\n\n")).isEmpty();
    }
}
