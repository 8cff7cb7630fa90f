package dev.rlaif.rm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The bag-of-words head of a reward model: one weight per hashed unigram/bigram bucket of the response
 * ({@link dev.rlaif.rm.feature.Lexical#hashedTerms}), {@code r_bow(x) = sum of w[b] over the response's buckets b}.
 * Every MLP head's reward includes it, so it moves the ensemble's mean reward and margins but not its spread.
 * Held dense in memory (4 bytes per bucket, 1 MB at 2^18), stored sparse.
 */
public record BowWeights(float[] w) {

    public int buckets() {
        return w.length;
    }

    /** Sum of the weights of the given distinct bucket indices. */
    public float score(int[] terms) {
        float s = 0f;
        for (int b : terms) {
            s += w[b];
        }
        return s;
    }

    void write(DataOutputStream out) throws IOException {
        int nonZero = 0;
        for (float x : w) {
            nonZero += x != 0f ? 1 : 0;
        }
        out.writeInt(w.length);
        out.writeInt(nonZero);
        for (int b = 0; b < w.length; b++) {
            if (w[b] != 0f) {
                out.writeInt(b);
                out.writeFloat(w[b]);
            }
        }
    }

    /** The head, or null for an empty block (0 buckets). */
    static BowWeights read(DataInputStream in) throws IOException {
        int buckets = in.readInt();
        int nonZero = in.readInt();
        if (buckets == 0 && nonZero == 0) {
            return null;
        }
        if (buckets <= 0 || nonZero < 0 || nonZero > buckets) {
            throw new IOException("corrupt bag-of-words block: " + buckets + " buckets, " + nonZero + " weights");
        }
        float[] w = new float[buckets];
        for (int i = 0; i < nonZero; i++) {
            int b = in.readInt();
            if (b < 0 || b >= buckets) {
                throw new IOException("corrupt bag-of-words block: bucket " + b + " of " + buckets);
            }
            w[b] = in.readFloat();
        }
        return new BowWeights(w);
    }
}
