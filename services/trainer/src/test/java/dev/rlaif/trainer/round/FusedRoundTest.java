package dev.rlaif.trainer.round;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.MlpRewardModel;
import dev.rlaif.rm.encode.TextEncoders;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.rm.train.FusionGroups;
import dev.rlaif.trainer.TrainerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trainer service writes the late-fusion model (RLAIF_TRAINER_FUSION, _PROMPT_CONTEXT, _BOW_BUCKETS) as train does. */
class FusedRoundTest {

    private static Env env(Path dir, Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of("RLAIF_MODELS_DIR", dir.resolve("models").toString(),
                "RLAIF_TRAINER_ENCODER", "hashing-16+hashing-8", "RLAIF_TRAINER_HEADS", "2", "RLAIF_TRAINER_MAX_STEPS", "60"));
        m.putAll(extra);
        return new Env(m);
    }

    @Test
    void aRoundTrainsTheFusedModelTheSettingsName(@TempDir Path dir) throws Exception {
        Env env = env(dir, Map.of("RLAIF_TRAINER_FUSION", "true", "RLAIF_TRAINER_PROMPT_CONTEXT", "user-turns",
                "RLAIF_TRAINER_BOW_BUCKETS", "0"));
        TrainerConfig cfg = TrainerConfig.fromEnv(env, KafkaSettings.fromEnv(env).withStateDir(dir));
        try (ModelStore store = ModelStore.open(cfg.modelsDir(), () -> TextEncoders.open("hashing-16+hashing-8", null))) {
            RoundRunner.Outcome o = new RoundRunner(store, cfg).run(ProbeSetTest.pairs(150, 1), ProbeSetTest.pairs(40, 2), Map.of("0", 150L));
            assertThat(o.event().getMetrics().get("accuracy")).isGreaterThan(0.8);
            ModelManifest manifest = store.latestManifest().orElseThrow();
            assertThat(manifest.training()).containsEntry("fusion", true);
            assertThat(manifest.features().promptContext()).isEqualTo(FeatureSpec.USER_TURNS);
            assertThat(manifest.features().bowBuckets()).isZero();
            MlpRewardModel m = store.load(manifest.version());
            assertThat(m.weights().bow()).isNull();
            // head 0 sees the first encoder's part only: its weights on the second's columns are zeros
            int[] first = FusionGroups.columns(manifest.features(), new int[] {16, 8})[0];
            java.util.Set<Integer> own = new java.util.HashSet<>();
            for (int c : first) {
                own.add(c);
            }
            for (float[] row : m.weights().w1()[0]) {
                for (int d = 0; d < row.length; d++) {
                    if (!own.contains(d)) {
                        assertThat(row[d]).isEqualTo(0f);
                    }
                }
            }
        }
    }

    @Test
    void fusionSettingsThatCannotWorkAreRefusedAtStart(@TempDir Path dir) {
        assertThatThrownBy(() -> TrainerConfig.fromEnv(env(dir, Map.of("RLAIF_TRAINER_FUSION", "true", "RLAIF_TRAINER_HEADS", "3")),
                KafkaSettings.fromEnv(new Env(Map.of())).withStateDir(dir))).hasMessageContaining("RLAIF_TRAINER_FUSION");
        assertThatThrownBy(() -> TrainerConfig.fromEnv(env(dir, Map.of("RLAIF_TRAINER_FUSION", "true", "RLAIF_TRAINER_ENCODER", "hashing-16")),
                KafkaSettings.fromEnv(new Env(Map.of())).withStateDir(dir))).hasMessageContaining("RLAIF_TRAINER_FUSION");
        assertThatThrownBy(() -> TrainerConfig.fromEnv(env(dir, Map.of("RLAIF_TRAINER_PROMPT_CONTEXT", "all")),
                KafkaSettings.fromEnv(new Env(Map.of())).withStateDir(dir))).hasMessageContaining("RLAIF_TRAINER_PROMPT_CONTEXT");
    }
}
