package dev.rlaif.rm.encode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The real int8 MiniLM, run offline from the jar. */
class OnnxMiniLmTest {

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void aVectorIsAUnitVectorOfItsTextAloneAndMeansSomething() {
        OnnxMiniLm m = OnnxMiniLm.shared();
        String bread = "How do I bake a loaf of bread at home?";
        float[] alone = m.embed(bread);
        assertThat(alone).hasSize(OnnxMiniLm.DIMENSION);
        assertThat(dot(alone, alone)).isCloseTo(1.0, within(1e-5));
        // embedded among texts of other lengths, side by side: exactly the same vector
        List<float[]> many = m.embedAll(List.of("short", bread, "A much longer text about the weather in the mountains during a cold winter week.", bread));
        assertThat(many.get(1)).containsExactly(alone);
        assertThat(many.get(3)).containsExactly(alone);
        float[] recipe = m.embed("Mix flour, water, salt and yeast, let the dough rise, then bake it for forty minutes.");
        float[] stocks = m.embed("Shares of technology companies fell sharply on Tuesday.");
        assertThat(dot(alone, recipe)).isGreaterThan(dot(alone, stocks) + 0.2);
    }
}
