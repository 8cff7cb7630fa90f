package dev.rlaif.rm.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.EnsembleWeights;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.MlpRewardModel;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.rm.data.LabeledPair;
import dev.rlaif.rm.encode.ConcatEncoder;
import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.rm.encode.TextEncoders;
import dev.rlaif.rm.feature.FeatureExtractor;
import dev.rlaif.rm.feature.FeatureSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * Late fusion inside one model ({@link TrainConfig#fusion()}, {@link FusionGroups}): over a concatenated encoder each
 * head sees one part's slice of every encoder block plus the non-encoder features; the rest is exported as zeros, so
 * the served function is the trained one. On the small separable task of {@link EnsembleTrainerTest}.
 */
class FusionTest {

    /** Two hashing encoders side by side (16 + 8 dimensions), critiques on (a third encoder block), 32 lexical buckets. */
    static final FeatureExtractor FX = new FeatureExtractor(
            new ConcatEncoder(List.of(new HashingEncoder(16), new HashingEncoder(8))),
            new FeatureSpec("hashing-16+hashing-8", 24, 32, true, false));

    @Test
    void eachGroupSeesItsPartOfEveryEncoderBlockAndAllOtherFeatures() {
        // embedding 5 = parts 3 + 2; blocks: response [0,5), prompt x response [5,10), critique [10,15); then critique
        // scalars [15,19), lengths [19,24), lexical [24,28)
        FeatureSpec spec = new FeatureSpec("a+b", 5, 4, true, false);
        int[][] cols = FusionGroups.columns(spec, new int[] {3, 2});
        int[] shared = IntStream.range(15, 28).toArray();
        assertThat(cols[0]).containsExactly(concat(new int[] {0, 1, 2, 5, 6, 7, 10, 11, 12}, shared));
        assertThat(cols[1]).containsExactly(concat(new int[] {3, 4, 8, 9, 13, 14}, shared));
        // with the joint block and the relation feature, both are laid out like the rest
        FeatureSpec joint = new FeatureSpec("a+b", 5, 0, false, true, 0, true);
        int[][] j = FusionGroups.columns(joint, new int[] {3, 2});
        assertThat(j[1]).containsExactly(3, 4, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20);

        assertThatThrownBy(() -> FusionGroups.columns(spec, new int[] {5})).hasMessageContaining("two or more parts");
        assertThatThrownBy(() -> FusionGroups.columns(spec, new int[] {3, 3})).hasMessageContaining("do not make up");
        assertThatThrownBy(() -> EnsembleTrainer.of(TrainConfig.DEFAULT.withFusion(true).withHeads(3), FX.spec(), FX.partDimensions()))
                .hasMessageContaining("multiple of 2 heads");
        assertThatThrownBy(() -> new EnsembleTrainer(TrainConfig.DEFAULT.withFusion(true).withHeads(2))
                .train(ModelTraining.featurize(FX, EnsembleTrainerTest.pairs(10, 1, 0, 8), k -> { }), FX.spec().lexicalOffset(),
                        EnsembleTrainer.Progress.NONE))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fusedHeadsHaveZeroWeightsOutsideTheirPartAndIgnoreIt() {
        List<PairFeatures> train = ModelTraining.featurize(FX, EnsembleTrainerTest.pairs(160, 1, 0, 8), k -> { });
        List<PairFeatures> test = ModelTraining.featurize(FX, EnsembleTrainerTest.pairs(60, 2, 0, 8), k -> { });
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(4).withEpochs(15).withCalibrate(false).withFusion(true);
        EnsembleWeights w = EnsembleTrainer.of(cfg, FX.spec(), FX.partDimensions())
                .train(train, FX.spec(), null, EnsembleTrainer.Progress.NONE).weights();
        int[][] cols = FusionGroups.columns(FX.spec(), FX.partDimensions());
        int dim = FX.spec().dimension();
        for (int h = 0; h < 4; h++) {
            boolean[] seen = new boolean[dim];
            for (int c : cols[h % 2]) {
                seen[c] = true;
            }
            int nonZero = 0;
            for (float[] row : w.w1()[h]) {
                for (int d = 0; d < dim; d++) {
                    if (!seen[d]) {
                        assertThat(row[d]).as("head %d, input %d outside its part", h, d).isEqualTo(0f);
                    } else if (row[d] != 0f) {
                        nonZero++;
                    }
                }
            }
            assertThat(nonZero).as("head %d learned from its own part", h).isGreaterThan(cols[h % 2].length);
        }
        // changing the second encoder's columns leaves the first encoder's heads exactly where they were
        float[] x = test.get(0).chosen();
        float[] y = x.clone();
        boolean[] own = new boolean[dim];
        for (int c : cols[0]) {
            own[c] = true;
        }
        for (int d = 0; d < dim; d++) {
            if (!own[d]) {
                y[d] += 3f;
            }
        }
        float[] rx = w.rewards(x);
        float[] ry = w.rewards(y);
        assertThat(ry[0]).isEqualTo(rx[0]);
        assertThat(ry[2]).isEqualTo(rx[2]);
        assertThat(ry[1]).isNotEqualTo(rx[1]);
        assertThat(ModelTraining.evaluate(w, test).accuracy()).isGreaterThan(0.9);
    }

    @Test
    void aFusedHeadIsTheHeadTrainedOnItsPartAlone() {
        List<PairFeatures> train = ModelTraining.featurize(FX, EnsembleTrainerTest.pairs(160, 3, 0, 8), k -> { });
        TrainConfig cfg = TrainConfig.DEFAULT.withHeads(2).withEpochs(8).withCalibrate(false);
        int lexical = FX.spec().lexicalOffset();
        EnsembleWeights fused = EnsembleTrainer.of(cfg.withFusion(true), FX.spec(), FX.partDimensions())
                .train(train, lexical, EnsembleTrainer.Progress.NONE).weights();
        // the first encoder's columns alone, trained as a plain one-head model: the same first head
        int[] keep = FusionGroups.columns(FX.spec(), FX.partDimensions())[0];
        List<PairFeatures> sliced = train.stream().map(p -> new PairFeatures(p.id(), slice(p.chosen(), keep), slice(p.rejected(), keep),
                p.weight(), p.chosenTerms(), p.rejectedTerms())).toList();
        int dense = (int) Arrays.stream(keep).filter(c -> c < lexical).count();
        EnsembleWeights alone = new EnsembleTrainer(cfg.withHeads(1)).train(sliced, dense, EnsembleTrainer.Progress.NONE).weights();
        for (int j = 0; j < cfg.hidden(); j++) {
            for (int c = 0; c < keep.length; c++) {
                assertThat(fused.w1()[0][j][keep[c]]).isCloseTo(alone.w1()[0][j][c], offset(1e-6f));
            }
        }
        assertThat(fused.b2()[0]).isCloseTo(alone.b2()[0], offset(1e-6f));
        for (PairFeatures p : train.subList(0, 20)) {
            assertThat(fused.rewards(p.chosen())[0]).isCloseTo(alone.rewards(slice(p.chosen(), keep))[0], offset(1e-5f));
        }
    }

    @Test
    void trainWritesAFusedModelThatTheStoreServesExactly(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (LabeledPair p : EnsembleTrainerTest.pairs(200, 4, 0, 8)) {
            lines.add(Json.write(Map.of("id", p.id(), "prompt", "tell me about it", "response_a", p.chosen(),
                    "response_b", p.rejected(), "label", "A")));
        }
        Path data = dir.resolve("pairs.jsonl");
        Files.write(data, lines);
        Path model = dir.resolve("models").resolve("m1");
        int rc = new picocli.CommandLine(new dev.rlaif.rm.cli.TrainCommand()).execute("--data", data.toString(), "--out", model.toString(), "--encoder", "hashing-16+hashing-8",
                        "--fusion", "--heads", "4", "--epochs", "8", "--lexical-buckets", "32", "--bow-buckets", "0", "--prompt-context", "user-turns");
        assertThat(rc).isZero();
        JsonNode manifest = Json.read(Files.readString(model.resolve("manifest.json")));
        assertThat(manifest.at("/training/fusion").asBoolean()).isTrue();
        assertThat(manifest.at("/heads").asInt()).isEqualTo(4);
        assertThat(manifest.at("/features/promptContext").asText()).isEqualTo("user-turns");

        MlpRewardModel served = ModelStore.loadDir(model, TextEncoders.open("hashing-16+hashing-8", null));
        FeatureSpec spec = served.manifest().features();
        int[][] cols = FusionGroups.columns(spec, new int[] {16, 8});
        boolean[] second = new boolean[spec.dimension()];
        for (int c : cols[1]) {
            second[c] = true;
        }
        for (int d = 0; d < spec.dimension(); d++) {
            if (!second[d]) {
                assertThat(served.weights().w1()[1][0][d]).isEqualTo(0f);
            }
        }
        // the served rewards are the trained weights' on the features the manifest describes
        ScoringInput in = EnsembleTrainerTest.pairs(1, 9, 0, 8).get(0).chosenInput();
        float[] x = new FeatureExtractor(new ConcatEncoder(List.of(new HashingEncoder(16), new HashingEncoder(8))), spec)
                .features(List.of(in)).get(0);
        assertThat(served.score(List.of(in))[0]).containsExactly(EnsembleWeights.read(model.resolve(EnsembleWeights.FILE)).rewards(x));
    }

    private static float[] slice(float[] x, int[] keep) {
        float[] out = new float[keep.length];
        for (int c = 0; c < keep.length; c++) {
            out[c] = x[keep[c]];
        }
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
