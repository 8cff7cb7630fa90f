package dev.rlaif.gateway.ingest;

import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.PolicyGeneration;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SizeGuardTest {

    static PolicyGeneration gen(int promptChars, int responseChars) {
        return PolicyGeneration.newBuilder().setGenerationId("g").setPromptId("p")
                .setPrompt(List.of(new ChatMessage("user", "p".repeat(promptChars)))).setResponse("r".repeat(responseChars))
                .setPolicyModel("m").setPolicyVersion("").setCreatedAt(Instant.EPOCH).setTags(Map.of()).build();
    }

    @Test
    void aGenerationWhosePairWithAnEqualPartnerCannotFitIsRefusedNamingTheLargestField() {
        SizeGuard guard = new SizeGuard(1_000_000);
        assertThat(guard.checkPair(gen(100_000, 400_000))).isEmpty();
        var tooLarge = guard.checkPair(gen(100_000, 460_000));
        assertThat(tooLarge).isPresent();
        assertThat(tooLarge.get().field()).isEqualTo("response");
        assertThat(tooLarge.get().message()).contains("pair").contains("1000000");
        assertThat(guard.checkPair(gen(900_000, 60_000)).get().field()).isEqualTo("prompt[0].content");
    }

    @Test
    void theRecordCheckCountsBytes() {
        SizeGuard guard = new SizeGuard(1000);
        assertThat(guard.checkRecord(1000, "response")).isEmpty();
        assertThat(guard.checkRecord(1001, "response").get().field()).isEqualTo("response");
        // Avro size of a generation grows with its UTF-8 bytes: 3 per CJK character.
        long ascii = SizeGuard.avroSize(gen(10, 1000));
        PolicyGeneration cjk = PolicyGeneration.newBuilder(gen(10, 0)).setResponse("\u4e00".repeat(1000)).build();
        assertThat(SizeGuard.avroSize(cjk) - ascii).isBetween(1999L, 2010L);
    }
}
