package dev.rlaif.rm.feature;

import dev.rlaif.rm.ScoringInput;
import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.schema.ChatMessage;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FeatureExtractorTest {

    static final HashingEncoder ENCODER = new HashingEncoder(32);

    @Test
    void relationAppendsThePromptResponseCosineAfterTheLengthsAndLeavesTheRestInPlace() {
        FeatureSpec plain = new FeatureSpec(ENCODER.id(), 32, 16, true, false, 64);
        FeatureSpec rel = new FeatureSpec(ENCODER.id(), 32, 16, true, false, 64, true);
        assertThat(rel.dimension()).isEqualTo(plain.dimension() + 1);
        assertThat(rel.lexicalOffset()).isEqualTo(plain.lexicalOffset() + 1);

        String prompt = "how do I bake bread at home";
        List<ScoringInput> inputs = List.of(
                new ScoringInput(List.of(new ChatMessage("user", prompt)), prompt, null),
                new ScoringInput(List.of(new ChatMessage("user", prompt)), "the weather on mars is cold", null));
        List<float[]> a = new FeatureExtractor(ENCODER, plain).features(inputs);
        List<float[]> b = new FeatureExtractor(ENCODER, rel).features(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            int o = plain.lexicalOffset();
            assertThat(Arrays.copyOfRange(b.get(i), 0, o)).containsExactly(Arrays.copyOfRange(a.get(i), 0, o));
            assertThat(Arrays.copyOfRange(b.get(i), o + 1, b.get(i).length)).containsExactly(Arrays.copyOfRange(a.get(i), o, a.get(i).length));
        }
        int c = plain.lexicalOffset();
        assertThat(b.get(0)[c]).as("a response that repeats the prompt").isCloseTo(1f, within(1e-5f));
        assertThat(b.get(1)[c]).as("an unrelated response").isLessThan(0.5f);
    }

    @Test
    void promptContextChoosesTheTextOfThePromptBlockAndOldManifestsReadAsLastTurn() throws Exception {
        List<ChatMessage> dialogue = List.of(new ChatMessage("user", "my neighbour's dog barks all night"),
                new ChatMessage("assistant", "That sounds tiring."), new ChatMessage("user", "how do I do that?"));
        assertThat(FeatureExtractor.promptText(dialogue, FeatureSpec.LAST_TURN)).isEqualTo("how do I do that?");
        assertThat(FeatureExtractor.promptText(dialogue, FeatureSpec.USER_TURNS))
                .isEqualTo("my neighbour's dog barks all night\nhow do I do that?");
        assertThat(FeatureExtractor.promptText(dialogue, FeatureSpec.DIALOGUE))
                .isEqualTo("User: my neighbour's dog barks all night\nAssistant: That sounds tiring.\nUser: how do I do that?");
        // a long dialogue keeps its last 256 words, the end the response answers
        String longTurn = String.join(" ", java.util.Collections.nCopies(300, "word"));
        String kept = FeatureExtractor.promptText(List.of(new ChatMessage("user", "first " + longTurn), new ChatMessage("user", "last")),
                FeatureSpec.USER_TURNS);
        assertThat(kept.split(" ")).hasSize(FeatureSpec.CONTEXT_WORDS);
        assertThat(kept).endsWith("word last").doesNotContain("first");

        // the block's prompt encoding changes with the context; the response block does not
        FeatureSpec last = new FeatureSpec(ENCODER.id(), 32, 0, false, false, 0);
        ScoringInput in = new ScoringInput(dialogue, "call the city's noise line", null);
        float[] a = new FeatureExtractor(ENCODER, last).features(List.of(in)).get(0);
        float[] b = new FeatureExtractor(ENCODER, last.withPromptContext(FeatureSpec.USER_TURNS)).features(List.of(in)).get(0);
        assertThat(Arrays.copyOfRange(b, 0, 32)).containsExactly(Arrays.copyOfRange(a, 0, 32));
        assertThat(Arrays.copyOfRange(b, 32, 64)).isNotEqualTo(Arrays.copyOfRange(a, 32, 64));

        // manifests written before the option carry no promptContext: read as the last user turn
        FeatureSpec old = dev.rlaif.common.json.Json.MAPPER.readValue(
                "{\"encoderId\":\"hashing-32\",\"embeddingDim\":32,\"lexicalBuckets\":0,\"critique\":false,\"joint\":false}", FeatureSpec.class);
        assertThat(old.promptContext()).isEqualTo(FeatureSpec.LAST_TURN);
        assertThat(old).isEqualTo(last);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> last.withPromptContext("everything"))
                .hasMessageContaining("user-turns");
    }
}
