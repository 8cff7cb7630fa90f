package dev.rlaif.pairing.topology;

import dev.rlaif.schema.PairedResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A prompt's state never grows past what its changelog record can hold. */
class PairingStateBudgetTest {

    static PairedResponse response(String id, String text) {
        return PairedResponse.newBuilder().setGenerationId(id).setResponse(text).setPolicyModel("m").setPolicyVersion("").build();
    }

    @Test
    void keepsTheMostRecentResponsesWithinTheBudget() {
        String cjk200k = "\u4e00".repeat(200_000); // 600,000 bytes in UTF-8
        List<PairedResponse> kept = PairingProcessor.withinStateBudget(List.of(response("a", cjk200k), response("b", cjk200k)));
        assertThat(kept).extracting(PairedResponse::getGenerationId).containsExactly("b");
        List<PairedResponse> small = List.of(response("a", "x"), response("b", "y"), response("c", "z"));
        assertThat(PairingProcessor.withinStateBudget(small)).isEqualTo(small);
        // A single response over the budget is still kept (it fits a record on its own: the gateway's guard).
        String huge = "\u4e00".repeat(300_000);
        assertThat(PairingProcessor.withinStateBudget(List.of(response("a", "x"), response("h", huge))))
                .extracting(PairedResponse::getGenerationId).containsExactly("h");
    }

    @Test
    void countsUtf8Bytes() {
        assertThat(PairingProcessor.utf8Length("ab")).isEqualTo(2);
        assertThat(PairingProcessor.utf8Length("\u00e9")).isEqualTo(2);
        assertThat(PairingProcessor.utf8Length("\u4e00")).isEqualTo(3);
        assertThat(PairingProcessor.utf8Length("\ud83d\ude00")).isEqualTo(4);
    }
}
