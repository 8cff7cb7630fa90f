package dev.rlaif.rm.versions;

import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.schema.RewardModelVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reloads driven by model-versions events, on a real models directory with real (small) versions: a published
 * newer version is served; a missing, half-written or unloadable one is refused, the old model stays, and the
 * version is served once a retry finds it whole; older and unpublished versions are never served.
 */
class ModelReloaderTest {

    static final HashingEncoder ENCODER = new HashingEncoder(16);
    static final FeatureSpec SPEC = new FeatureSpec(ENCODER.id(), 16, 32, true, true);

    @TempDir
    Path dir;
    private ModelStore store;
    private ModelReloader reloader;

    @BeforeEach
    void open() {
        store = ModelStore.open(dir, () -> ENCODER);
        reloader = ModelReloader.of(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Path write(String version, boolean publish) throws IOException {
        Random r = new Random(version.hashCode());
        int dim = SPEC.dimension();
        int hidden = 4;
        int heads = 3;
        float[] std = new float[dim];
        java.util.Arrays.fill(std, 1f);
        float[][][] w1 = new float[heads][hidden][dim];
        float[][] w2 = new float[heads][hidden];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < hidden; j++) {
                for (int d = 0; d < dim; d++) {
                    w1[h][j][d] = (float) r.nextGaussian();
                }
                w2[h][j] = (float) r.nextGaussian();
            }
        }
        Path p = store.write(new ModelManifest(version, null, Instant.now().toString(), SPEC, heads, hidden,
                Map.of("accuracy", 0.7), Map.of("0", 1L), 10, "test", 0.0, Map.of()),
                new EnsembleWeights(new float[dim], std, w1, new float[heads][hidden], w2, new float[heads]));
        if (publish) {
            store.publish(version);
        }
        return p;
    }

    private static RewardModelVersion event(String version, Path path, String checksum, boolean published) {
        return RewardModelVersion.newBuilder().setVersion(version).setPath(path.toString()).setPublished(published)
                .setChecksum(checksum).setCreatedAt(Instant.now()).build();
    }

    private String served() {
        return reloader.get().map(RewardModel::version).orElse(null);
    }

    @Test
    void startsFromCurrentThenFollowsPublishedEventsForward() throws Exception {
        Path v1 = write("v000001", true);
        assertThat(reloader.bootstrap()).isEqualTo(ModelReloader.Outcome.LOADED);
        assertThat(served()).isEqualTo("v000001");

        Path v2 = write("v000002", false);
        assertThat(reloader.offer(event("v000002", v2, VersionChecksum.of(v2), false)))
                .as("an unpublished candidate").isEqualTo(ModelReloader.Outcome.IGNORED);
        Path v3 = write("v000003", true);
        assertThat(reloader.offer(event("v000003", v3, VersionChecksum.of(v3), true))).isEqualTo(ModelReloader.Outcome.LOADED);
        assertThat(served()).isEqualTo("v000003");
        // replaying the topic from the beginning never goes back
        assertThat(reloader.offer(event("v000001", v1, VersionChecksum.of(v1), true))).isEqualTo(ModelReloader.Outcome.IGNORED);
        assertThat(served()).isEqualTo("v000003");
    }

    @Test
    void aHalfWrittenVersionIsRefusedAndServedOnceARetryFindsItWhole() throws Exception {
        write("v000001", true);
        reloader.bootstrap();
        Path v2 = write("v000002", true);
        String checksum = VersionChecksum.of(v2);
        Path weights = v2.resolve(EnsembleWeights.FILE);
        byte[] whole = Files.readAllBytes(weights);
        // the shared volume shows the file half copied
        Files.write(weights, java.util.Arrays.copyOf(whole, whole.length / 2), StandardOpenOption.TRUNCATE_EXISTING);

        assertThat(reloader.offer(event("v000002", v2, checksum, true))).isEqualTo(ModelReloader.Outcome.REFUSED);
        assertThat(served()).as("the old model stays").isEqualTo("v000001");
        assertThat(reloader.pendingVersion()).contains("v000002");
        assertThat(reloader.recheck()).isEqualTo(ModelReloader.Outcome.REFUSED);

        Files.write(weights, whole, StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(reloader.recheck()).isEqualTo(ModelReloader.Outcome.LOADED);
        assertThat(served()).isEqualTo("v000002");
        assertThat(reloader.pendingVersion()).isEmpty();
    }

    @Test
    void aMissingVersionIsRefusedUntilItAppears() throws Exception {
        Path elsewhere = dir.resolve("v000001");
        assertThat(reloader.offer(event("v000001", elsewhere, "00", true))).isEqualTo(ModelReloader.Outcome.REFUSED);
        assertThat(reloader.get()).isEmpty();
        Path v1 = write("v000001", true);
        // the event's checksum was of another directory: still refused, never served
        assertThat(reloader.recheck()).isEqualTo(ModelReloader.Outcome.REFUSED);
        assertThat(reloader.get()).isEmpty();
        // the real event arrives
        assertThat(reloader.offer(event("v000001", v1, VersionChecksum.of(v1), true))).isEqualTo(ModelReloader.Outcome.LOADED);
        assertThat(served()).isEqualTo("v000001");
    }

    @Test
    void anUnloadableVersionIsRefusedWithoutThrowingAndANewerOneReplacesItsRetry() throws Exception {
        write("v000001", true);
        reloader.bootstrap();
        Path v2 = write("v000002", true);
        Files.writeString(v2.resolve(EnsembleWeights.FILE), "garbage");
        // no checksum (an older trainer): the load itself fails, which must not escape
        assertThat(reloader.offer(event("v000002", v2, null, true))).isEqualTo(ModelReloader.Outcome.REFUSED);
        assertThat(served()).isEqualTo("v000001");
        Path v3 = write("v000003", true);
        assertThat(reloader.offer(event("v000003", v3, VersionChecksum.of(v3), true))).isEqualTo(ModelReloader.Outcome.LOADED);
        assertThat(reloader.recheck()).isEqualTo(ModelReloader.Outcome.IGNORED);
        assertThat(served()).isEqualTo("v000003");
    }

    @Test
    void aVersionPublishedWithoutAnEventIsFoundInCurrentByTheRecheck() throws Exception {
        write("v000001", true);
        reloader.bootstrap();
        write("v000002", true); // the trainer died before announcing it
        assertThat(served()).isEqualTo("v000001");
        assertThat(reloader.recheck()).isEqualTo(ModelReloader.Outcome.LOADED);
        assertThat(served()).isEqualTo("v000002");
        assertThat(reloader.recheck()).isEqualTo(ModelReloader.Outcome.IGNORED);
    }

    @Test
    void checksumCoversNamesAndContents() throws Exception {
        Path v1 = write("v000001", false);
        String before = VersionChecksum.of(v1);
        assertThat(VersionChecksum.of(v1)).isEqualTo(before).hasSize(64);
        Files.writeString(v1.resolve("extra.txt"), "x");
        assertThat(VersionChecksum.of(v1)).isNotEqualTo(before);
    }

    @Test
    void versionsOrderByTheirNumber() {
        assertThat(ModelReloader.compare("v000010", "v000009")).isPositive();
        assertThat(ModelReloader.compare("v1000000", "v999999")).isPositive();
        assertThat(ModelReloader.compare("v000002", "v000002")).isZero();
    }
}
