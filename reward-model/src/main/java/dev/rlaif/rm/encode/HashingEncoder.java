package dev.rlaif.rm.encode;

import dev.rlaif.rm.feature.Lexical;

import java.util.ArrayList;
import java.util.List;

/**
 * A cheap deterministic encoder: hashed word counts, L2-normalised. No model to load, so tests and small
 * benchmarks of everything around the encoder run in milliseconds; the real models use {@link MiniLmEncoder}.
 */
public final class HashingEncoder implements TextEncoder {

    private final int dim;

    public HashingEncoder(int dim) {
        this.dim = dim;
    }

    @Override
    public String id() {
        return "hashing-" + dim;
    }

    @Override
    public int dimension() {
        return dim;
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            float[] v = new float[dim];
            for (String tok : Lexical.tokens(t)) {
                int h = tok.hashCode() * 0x9E3779B9;
                v[Math.floorMod(h ^ (h >>> 15), dim)] += 1f;
            }
            MiniLmEncoder.normalize(v);
            out.add(v);
        }
        return out;
    }
}
