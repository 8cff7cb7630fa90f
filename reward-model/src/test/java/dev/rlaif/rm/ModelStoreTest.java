package dev.rlaif.rm;

import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.schema.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelStoreTest {

    static final HashingEncoder ENCODER = new HashingEncoder(16);
    static final FeatureSpec SPEC = new FeatureSpec(ENCODER.id(), 16, 32, true, true);

    static EnsembleWeights randomWeights(int dim, int hidden, int heads, long seed) {
        Random r = new Random(seed);
        float[] mean = new float[dim];
        float[] std = new float[dim];
        java.util.Arrays.fill(std, 1f);
        float[][][] w1 = new float[heads][hidden][dim];
        float[][] b1 = new float[heads][hidden];
        float[][] w2 = new float[heads][hidden];
        float[] b2 = new float[heads];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < hidden; j++) {
                for (int d = 0; d < dim; d++) {
                    w1[h][j][d] = (float) r.nextGaussian();
                }
                w2[h][j] = (float) r.nextGaussian();
            }
        }
        return new EnsembleWeights(mean, std, w1, b1, w2, b2);
    }

    static ModelManifest manifest(String version, String parent) {
        return new ModelManifest(version, parent, Instant.now().toString(), SPEC, 3, 4, Map.of("accuracy", 0.7),
                Map.of("0", 12L), 10, "test", 0.0, Map.of());
    }

    static final ScoringInput INPUT = new ScoringInput(List.of(new ChatMessage("user", "how do I bake bread")),
            "Mix flour, water and yeast, then bake.", null);

    @Test
    void aStoreOpenedWithoutAnEncoderReadsEachVersionWithTheEncoderItsManifestNames(@TempDir Path dir) throws Exception {
        // the judge's reward-model backend opens the store this way: a version trained with another encoder than
        // the MiniLM default (here hashing-16) must load and score as its trainer wrote it, not be refused
        EnsembleWeights w = randomWeights(SPEC.dimension(), 4, 3, 7);
        try (ModelStore writer = ModelStore.open(dir, () -> ENCODER)) {
            writer.write(manifest("v000001", null), w);
            writer.publish("v000001");
        }
        try (ModelStore reader = ModelStore.open(dir)) {
            RewardModel model = reader.current().orElseThrow();
            assertThat(model.version()).isEqualTo("v000001");
            assertThat(model.score(List.of(INPUT))[0])
                    .isEqualTo(w.rewards(new FeatureExtractor(ENCODER, SPEC).features(List.of(INPUT)).get(0)));
        }
    }

    @Test
    void publishesAtomicallyAndReloadsTheNewerVersion(@TempDir Path dir) throws Exception {
        try (ModelStore store = ModelStore.open(dir, () -> ENCODER)) {
            assertThat(store.current()).isEmpty();
            assertThat(store.nextVersion()).isEqualTo("v000001");
            EnsembleWeights w1 = randomWeights(SPEC.dimension(), 4, 3, 1);
            store.write(manifest("v000001", null), w1);
            assertThat(store.current()).as("written but not published").isEmpty();
            store.publish("v000001");
            RewardModel first = store.current().orElseThrow();
            assertThat(first.version()).isEqualTo("v000001");
            assertThat(store.current().orElseThrow()).as("no reload without a new publish").isSameAs(first);
            float[] r1 = first.score(List.of(INPUT))[0];
            assertThat(r1).hasSize(3).isEqualTo(w1.rewards(new FeatureExtractor(ENCODER, SPEC).features(List.of(INPUT)).get(0)));

            // a crashed writer's leftover temp directory is not a version
            Files.createDirectories(dir.resolve(".tmp-v000002-123"));
            assertThat(store.nextVersion()).isEqualTo("v000002");
            store.write(manifest("v000002", "v000001"), randomWeights(SPEC.dimension(), 4, 3, 2));
            store.publish("v000002");
            RewardModel second = store.current().orElseThrow();
            assertThat(second.version()).isEqualTo("v000002");
            assertThat(second.score(List.of(INPUT))[0]).isNotEqualTo(r1);
            // the replaced version still answers (hot reload never breaks a request in flight)
            assertThat(first.score(List.of(INPUT))[0]).isEqualTo(r1);
            assertThat(store.versions()).containsExactly("v000001", "v000002");
            assertThat(store.manifest("v000002").orElseThrow().dataOffsets()).containsEntry("0", 12L);
            assertThatThrownBy(() -> store.write(manifest("v000002", null), randomWeights(SPEC.dimension(), 4, 3, 3)))
                    .hasMessageContaining("already exists");
        }
    }

    @Test
    void readsFormatOneWeightsWithoutABagOfWordsHead(@TempDir Path dir) throws Exception {
        EnsembleWeights w = randomWeights(SPEC.dimension(), 4, 3, 1);
        Path file = dir.resolve(EnsembleWeights.FILE);
        w.write(file);
        // format 1 is format 2 without the trailing (buckets, count) block
        byte[] b = Files.readAllBytes(file);
        byte[] v1 = java.util.Arrays.copyOf(b, b.length - 8);
        java.nio.ByteBuffer.wrap(v1).putInt(4, 1);
        Files.write(file, v1);
        EnsembleWeights back = EnsembleWeights.read(file);
        assertThat(back.bow()).isNull();
        float[] x = new FeatureExtractor(ENCODER, SPEC).features(List.of(INPUT)).get(0);
        assertThat(back.rewards(x)).containsExactly(w.rewards(x));
        Files.write(file, java.util.Arrays.copyOf(b, b.length - 4));
        assertThatThrownBy(() -> EnsembleWeights.read(file)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void servesTheBagOfWordsHeadAndRefusesWeightsThatDoNotMatchTheManifest(@TempDir Path dir) throws Exception {
        FeatureSpec spec = new FeatureSpec(ENCODER.id(), 16, 32, true, true, 64);
        float[] head = new float[64];
        for (int i = 0; i < head.length; i++) {
            head[i] = i / 10f;
        }
        EnsembleWeights w = randomWeights(spec.dimension(), 4, 3, 1).withBow(new BowWeights(head));
        ModelManifest m = new ModelManifest("v000001", null, Instant.now().toString(), spec, 3, 4, Map.of(), Map.of(), 10, "test", 0.0, Map.of());
        try (ModelStore store = ModelStore.open(dir, () -> ENCODER)) {
            store.write(m, w);
            store.publish("v000001");
            FeatureExtractor fx = new FeatureExtractor(ENCODER, spec);
            float[] x = fx.features(List.of(INPUT)).get(0);
            int[] terms = fx.bowTerms(INPUT);
            assertThat(terms).isNotEmpty();
            float[] served = store.current().orElseThrow().score(List.of(INPUT))[0];
            assertThat(served).containsExactly(w.rewards(x, terms));
            assertThat(served[0]).isNotEqualTo(w.rewards(x)[0]);
        }
        assertThatThrownBy(() -> new MlpRewardModel(m, w.withBow(null), new FeatureExtractor(ENCODER, spec)))
                .hasMessageContaining("bag-of-words head of 0 buckets, manifest describes 64");
    }

    @Test
    void aCorruptPublishedVersionKeepsTheOldOne(@TempDir Path dir) throws Exception {
        try (ModelStore store = ModelStore.open(dir, () -> ENCODER)) {
            store.write(manifest("v000001", null), randomWeights(SPEC.dimension(), 4, 3, 1));
            store.publish("v000001");
            assertThat(store.current().orElseThrow().version()).isEqualTo("v000001");
            store.write(manifest("v000002", "v000001"), randomWeights(SPEC.dimension(), 4, 3, 2));
            Files.writeString(dir.resolve("v000002").resolve(EnsembleWeights.FILE), "garbage");
            store.publish("v000002");
            assertThat(store.current().orElseThrow().version()).isEqualTo("v000001");
        }
    }

    @Test
    void anotherStoreOnTheSameDirectorySeesPublishes(@TempDir Path dir) throws Exception {
        try (ModelStore writer = ModelStore.open(dir, () -> ENCODER); ModelStore reader = ModelStore.open(dir, () -> ENCODER)) {
            writer.write(manifest("v000001", null), randomWeights(SPEC.dimension(), 4, 3, 1));
            writer.publish("v000001");
            assertThat(reader.current().orElseThrow().version()).isEqualTo("v000001");
            writer.write(manifest("v000002", "v000001"), randomWeights(SPEC.dimension(), 4, 3, 2));
            writer.publish("v000002");
            assertThat(reader.current().orElseThrow().version()).isEqualTo("v000002");
        }
    }
}
