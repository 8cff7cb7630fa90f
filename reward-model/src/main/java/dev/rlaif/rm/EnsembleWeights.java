package dev.rlaif.rm;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The parameters of an ensemble of M two-layer MLP heads over standardised features, as trained by
 * {@link dev.rlaif.rm.train.EnsembleTrainer} (DJL, PyTorch) and exported to plain arrays, so serving needs no
 * deep-learning engine: {@code r_h(x) = w2_h . relu(W1_h z + b1_h) + b2_h + r_bow(x)}, {@code z = (x - mean) / std},
 * where {@code r_bow} is the optional bag-of-words head shared by all heads ({@link BowWeights}).
 *
 * <p>File {@code weights.bin}: magic "RLRM", format, D, H, M, then mean[D], std[D], and per head W1[H][D]
 * (row-major), b1[H], w2[H], b2; format 2 then has the bag-of-words head: buckets, count, and count (bucket,
 * weight) pairs (buckets 0 and no pairs when there is none). Big-endian int32 and float32. Format 1 (no
 * bag-of-words head) is still read.
 */
public record EnsembleWeights(float[] mean, float[] std, float[][][] w1, float[][] b1, float[][] w2, float[] b2, BowWeights bow) {

    public static final String FILE = "weights.bin";
    private static final int MAGIC = 0x524C524D;
    private static final int FORMAT = 2;

    /** Without a bag-of-words head. */
    public EnsembleWeights(float[] mean, float[] std, float[][][] w1, float[][] b1, float[][] w2, float[] b2) {
        this(mean, std, w1, b1, w2, b2, null);
    }

    public EnsembleWeights withBow(BowWeights head) {
        return new EnsembleWeights(mean, std, w1, b1, w2, b2, head);
    }

    /** Every reward multiplied by {@code t} (a temperature folded into the output layers and the bag-of-words head). */
    public EnsembleWeights scaled(float t) {
        float[][] w2s = new float[w2.length][];
        float[] b2s = new float[b2.length];
        for (int h = 0; h < w2.length; h++) {
            w2s[h] = w2[h].clone();
            for (int j = 0; j < w2s[h].length; j++) {
                w2s[h][j] *= t;
            }
            b2s[h] = b2[h] * t;
        }
        BowWeights bows = null;
        if (bow != null) {
            float[] w = bow.w().clone();
            for (int b = 0; b < w.length; b++) {
                w[b] *= t;
            }
            bows = new BowWeights(w);
        }
        return new EnsembleWeights(mean, std, w1, b1, w2s, b2s, bows);
    }

    public EnsembleWeights {
        if (mean.length != std.length || w1.length == 0 || w1.length != b1.length || w1.length != w2.length || w1.length != b2.length) {
            throw new IllegalArgumentException("inconsistent ensemble weights");
        }
    }

    public int heads() {
        return w1.length;
    }

    public int inputDim() {
        return mean.length;
    }

    public int hidden() {
        return b1[0].length;
    }

    /** Head rewards for a raw feature vector and the response's bag-of-words buckets (ignored without a head). */
    public float[] rewards(float[] x, int[] bowTerms) {
        float[] r = rewards(x);
        if (bow != null) {
            float s = bow.score(bowTerms);
            for (int h = 0; h < r.length; h++) {
                r[h] += s;
            }
        }
        return r;
    }

    /** Head rewards for one raw feature vector, without the bag-of-words head. */
    public float[] rewards(float[] x) {
        int dim = inputDim();
        if (x.length != dim) {
            throw new IllegalArgumentException("feature vector has " + x.length + " dimensions, model wants " + dim);
        }
        // standardise, keeping only non-zero inputs: the lexical block is sparse, so most of it is skipped
        int[] nz = new int[dim];
        float[] z = new float[dim];
        int k = 0;
        for (int d = 0; d < dim; d++) {
            float v = (x[d] - mean[d]) / std[d];
            if (v != 0f) {
                nz[k] = d;
                z[k++] = v;
            }
        }
        float[] out = new float[heads()];
        for (int h = 0; h < heads(); h++) {
            float[][] w = w1[h];
            float r = b2[h];
            for (int j = 0; j < w.length; j++) {
                float[] row = w[j];
                float a = b1[h][j];
                for (int i = 0; i < k; i++) {
                    a += row[nz[i]] * z[i];
                }
                if (a > 0) {
                    r += w2[h][j] * a;
                }
            }
            out[h] = r;
        }
        return out;
    }

    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(inputDim());
            out.writeInt(hidden());
            out.writeInt(heads());
            writeAll(out, mean);
            writeAll(out, std);
            for (int h = 0; h < heads(); h++) {
                for (float[] row : w1[h]) {
                    writeAll(out, row);
                }
                writeAll(out, b1[h]);
                writeAll(out, w2[h]);
                out.writeFloat(b2[h]);
            }
            if (bow == null) {
                out.writeInt(0);
                out.writeInt(0);
            } else {
                bow.write(out);
            }
        }
    }

    public static EnsembleWeights read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            int format = in.readInt() == MAGIC ? in.readInt() : -1;
            if (format != 1 && format != FORMAT) {
                throw new IOException(file + " is not an rlaif weights file (format 1 or 2)");
            }
            int dim = in.readInt();
            int hidden = in.readInt();
            int heads = in.readInt();
            float[] mean = readAll(in, dim);
            float[] std = readAll(in, dim);
            float[][][] w1 = new float[heads][hidden][];
            float[][] b1 = new float[heads][];
            float[][] w2 = new float[heads][];
            float[] b2 = new float[heads];
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < hidden; j++) {
                    w1[h][j] = readAll(in, dim);
                }
                b1[h] = readAll(in, hidden);
                w2[h] = readAll(in, hidden);
                b2[h] = in.readFloat();
            }
            BowWeights bow = format == 1 ? null : BowWeights.read(in);
            return new EnsembleWeights(mean, std, w1, b1, w2, b2, bow);
        }
    }

    private static void writeAll(DataOutputStream out, float[] v) throws IOException {
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] readAll(DataInputStream in, int n) throws IOException {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
