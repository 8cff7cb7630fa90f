package dev.rlaif.trainer.round;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.encode.TextEncoders;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.trainer.TrainerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The out-of-domain probe set: measured every round beside the gold set, in the manifest and the event. */
class ProbeSetTest {

    static final String[] GOOD = {"happy to help", "here is a clear answer", "sure, the steps are", "let me explain"};
    static final String[] BAD = {"figure it out yourself", "that is stupid", "go away", "not my problem"};

    static List<LabeledPair> pairs(int n, long seed) {
        Random r = new Random(seed);
        List<LabeledPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String topic = "topic" + r.nextInt(40);
            out.add(new LabeledPair("p" + seed + "-" + i, List.of(new ChatMessage("user", "tell me about " + topic)),
                    GOOD[r.nextInt(GOOD.length)] + " about " + topic, BAD[r.nextInt(BAD.length)] + " about " + topic, null, null, 1f));
        }
        return out;
    }

    @Test
    void aProbeWhoseLabelsDisagreeWithTheTrainingDataShowsIt(@TempDir Path dir) throws Exception {
        // the probe domain prefers the curt answers: a model that learned the training data's taste scores low there
        Path probeFile = dir.resolve("probe.jsonl");
        StringBuilder sb = new StringBuilder();
        for (LabeledPair p : pairs(50, 9)) {
            sb.append(Json.write(Map.of("prompt", p.prompt().get(0).getContent(), "response_a", p.chosen(),
                    "response_b", p.rejected(), "label", "B"))).append('\n');
        }
        Files.writeString(probeFile, sb);
        Env env = new Env(Map.of("RLAIF_MODELS_DIR", dir.resolve("models").toString(), "RLAIF_TRAINER_ENCODER", "hashing-32",
                "RLAIF_TRAINER_HEADS", "2", "RLAIF_TRAINER_MAX_STEPS", "60", "RLAIF_TRAINER_PROBE_DATA", probeFile.toString()));
        KafkaSettings kafka = KafkaSettings.fromEnv(env).withStateDir(dir);
        TrainerConfig cfg = TrainerConfig.fromEnv(env, kafka);
        ProbeSet probe = ProbeSet.fromEnv(env);
        assertThat(probe.pairs()).hasSize(50);
        try (ModelStore store = ModelStore.open(cfg.modelsDir(), () -> TextEncoders.open("hashing-32", null))) {
            RoundRunner.Outcome o = new RoundRunner(store, cfg, probe).run(pairs(150, 1), pairs(40, 2), Map.of("0", 150L));
            Map<String, Double> m = o.event().getMetrics();
            assertThat(m.get("accuracy")).isGreaterThan(0.8);
            assertThat(m.get("probe_accuracy")).isLessThan(0.2);
            assertThat(m.get("n_probe")).isEqualTo(50.0);
            ModelManifest manifest = store.latestManifest().orElseThrow();
            assertThat(manifest.metrics()).containsEntry("probe_accuracy", m.get("probe_accuracy"));
        }
    }

    @Test
    void withoutAProbeNothingIsMeasuredAndAMissingFileIsRefused(@TempDir Path dir) {
        assertThat(ProbeSet.fromEnv(new Env(Map.of())).isEmpty()).isTrue();
        assertThatThrownBy(() -> ProbeSet.fromEnv(new Env(Map.of("RLAIF_TRAINER_PROBE_DATA", dir.resolve("nope.jsonl").toString()))))
                .hasMessageContaining("RLAIF_TRAINER_PROBE_DATA");
    }
}
