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
}
