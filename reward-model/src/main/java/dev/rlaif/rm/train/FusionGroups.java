package dev.rlaif.rm.train;

import dev.rlaif.rm.feature.FeatureSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Late fusion inside one model: which input columns each head of a fused ensemble sees ({@link TrainConfig#fusion()}).
 * With a concatenated encoder ({@code e5-small+bge-small}) every encoder block of the feature vector (response,
 * prompt x response, joint, critique encoding) holds the parts' vectors side by side; head group g sees part g's
 * slice of each such block and every column that is not an encoder's (critique scalars, lengths, relation, lexical
 * block). Head h belongs to group {@code h % parts}, so with M = k x parts heads each encoder has k heads and the
 * ensemble's mean preference probability is the mean of the per-encoder ensembles' (what {@code bench reward-model
 * --compare-fusion} measures with separate models). A head never sees the other columns: they are exported as zero
 * weights, so {@code weights.bin} keeps its format and serving computes exactly the trained function.
 */
public final class FusionGroups {

    private FusionGroups() {
    }

    /**
     * Per encoder part, the sorted input columns its heads see.
     *
     * @param partDims the encoder's parts' sizes ({@link dev.rlaif.rm.encode.TextEncoder#partDimensions()}), summing
     *                 to {@code spec.embeddingDim()}
     */
    public static int[][] columns(FeatureSpec spec, int[] partDims) {
        if (partDims.length < 2) {
            throw new IllegalArgumentException("fusion needs an encoder of two or more parts (e.g. e5-small+bge-small), not "
                    + spec.encoderId());
        }
        if (Arrays.stream(partDims).sum() != spec.embeddingDim()) {
            throw new IllegalArgumentException("encoder parts " + Arrays.toString(partDims) + " do not make up " + spec.embeddingDim() + " dimensions");
        }
        int dim = spec.dimension();
        int[] owner = new int[dim];
        Arrays.fill(owner, -1);
        for (int block : spec.encoderBlocks()) {
            int o = block;
            for (int g = 0; g < partDims.length; g++) {
                for (int d = 0; d < partDims[g]; d++) {
                    owner[o++] = g;
                }
            }
        }
        int[][] out = new int[partDims.length][];
        for (int g = 0; g < partDims.length; g++) {
            List<Integer> cols = new ArrayList<>();
            for (int d = 0; d < dim; d++) {
                if (owner[d] == -1 || owner[d] == g) {
                    cols.add(d);
                }
            }
            out[g] = cols.stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** The group of head {@code h} among {@code groups}. */
    public static int groupOf(int h, int groups) {
        return h % groups;
    }
}
