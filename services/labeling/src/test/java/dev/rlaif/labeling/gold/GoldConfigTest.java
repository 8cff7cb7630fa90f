package dev.rlaif.labeling.gold;

import dev.rlaif.common.config.Env;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Gold configuration and the gold file reader. */
@Tag("unit")
class GoldConfigTest {

    @TempDir
    Path dir;

    @Test
    void offByDefaultAndValidatedWithTheVariableNamed() {
        assertThat(GoldConfig.fromEnv(new Env(Map.of())).enabled()).isFalse();
        assertThatThrownBy(() -> GoldConfig.fromEnv(new Env(Map.of("RLAIF_LABELING_GOLD_RATE", "1.5"))))
                .hasMessageContaining("RLAIF_LABELING_GOLD_RATE");
        assertThatThrownBy(() -> GoldConfig.fromEnv(new Env(Map.of("RLAIF_LABELING_GOLD_RATE", "0.1"))))
                .hasMessageContaining("RLAIF_LABELING_GOLD_DATA");
        GoldConfig on = GoldConfig.fromEnv(new Env(Map.of("RLAIF_LABELING_GOLD_RATE", "0.05",
                "RLAIF_LABELING_GOLD_DATA", "/data/gold.jsonl")));
        assertThat(on.enabled()).isTrue();
        assertThat(on.data()).isEqualTo(Path.of("/data/gold.jsonl"));
    }

    @Test
    void readsLabeledPairsLeavingOutTiesAndUnlabeled() throws Exception {
        Path f = dir.resolve("gold.jsonl");
        Files.writeString(f, """
                {"id": "a", "prompt": "p1", "response_a": "x1", "response_b": "y1", "label": "A"}
                {"id": "b", "prompt": "p2", "response_a": "x2", "response_b": "y2", "label": "B"}
                {"id": "c", "prompt": "p3", "response_a": "x3", "response_b": "y3", "label": "TIE"}
                {"id": "d", "prompt": "p4", "response_a": "x4", "response_b": "y4"}
                """);
        List<GoldItem> items = GoldSet.load(f);
        assertThat(items).extracting(GoldItem::goldId).containsExactly("a", "b");
        assertThat(items.get(0).better()).isEqualTo("x1");
        assertThat(items.get(1).better()).isEqualTo("y2");
        assertThat(items.get(1).worse()).isEqualTo("x2");
        assertThatThrownBy(() -> GoldSet.load(dir.resolve("missing.jsonl"))).hasMessageContaining("RLAIF_LABELING_GOLD_DATA");
    }

    @Test
    void readsTheSharedPandaLmSetWhenPresent() {
        var data = dev.rlaif.common.dataset.SharedData.dir();
        org.junit.jupiter.api.Assumptions.assumeTrue(data.isPresent(), "shared data not here");
        List<GoldItem> items = GoldSet.load(data.get().resolve("pandalm/testset-v1.json"));
        assertThat(items.size()).isBetween(500, 999);
    }
}
