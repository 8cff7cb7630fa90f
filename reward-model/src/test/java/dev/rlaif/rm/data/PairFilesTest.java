package dev.rlaif.rm.data;

import dev.rlaif.schema.ChatMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Offline splits group pairs by prompt, so a response shared by two pairs of one prompt never crosses the split. */
class PairFilesTest {

    static LabeledPair pair(String id, String prompt, String chosen, String rejected) {
        return new LabeledPair(id, List.of(new ChatMessage("user", prompt)), chosen, rejected, null, null, 1f);
    }

    @Test
    void pairsOfOnePromptShareTheirSideAndTheirFold() {
        List<LabeledPair> pairs = new ArrayList<>();
        for (int p = 0; p < 400; p++) {
            for (int k = 0; k < 4; k++) {
                pairs.add(pair("p" + p + "-" + k, "prompt " + p, "answer " + k, "answer " + (k + 1)));
            }
        }
        int held = 0;
        int[] foldSizes = new int[5];
        for (int p = 0; p < 400; p++) {
            List<LabeledPair> same = pairs.subList(4 * p, 4 * p + 4);
            boolean side = PairFiles.heldOut(same.get(0), 0.2);
            int fold = PairFiles.fold(same.get(0), 5);
            for (LabeledPair x : same) {
                assertThat(PairFiles.heldOut(x, 0.2)).isEqualTo(side);
                assertThat(PairFiles.fold(x, 5)).isEqualTo(fold);
            }
            held += side ? 1 : 0;
            foldSizes[fold]++;
        }
        assertThat(held).isBetween(50, 110);           // about a fifth of the 400 prompts
        for (int f : foldSizes) {
            assertThat(f).isBetween(50, 110);           // every fold gets about a fifth
        }
        // the split by pair id (versions written before) does separate pairs of one prompt
        long mixed = java.util.stream.IntStream.range(0, 400).filter(p -> pairs.subList(4 * p, 4 * p + 4).stream()
                .map(x -> PairFiles.heldOutByPairId(x.id(), 0.2)).distinct().count() > 1).count();
        assertThat(mixed).isGreaterThan(100);
    }
}
