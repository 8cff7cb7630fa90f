package dev.rlaif.rm.encode;

import java.util.ArrayList;
import java.util.List;

/**
 * Several encoders side by side: a text's vector is its vectors under each, concatenated (each part stays a unit
 * vector, so every encoder weighs the same before standardisation). Id: the parts' ids joined by {@code +}.
 * Closing it closes the parts (their embedding caches).
 */
public final class ConcatEncoder implements TextEncoder, AutoCloseable {

    private final List<TextEncoder> parts;

    public ConcatEncoder(List<TextEncoder> parts) {
        if (parts.size() < 2) {
            throw new IllegalArgumentException("a concatenation needs at least two encoders");
        }
        this.parts = List.copyOf(parts);
    }

    public List<TextEncoder> parts() {
        return parts;
    }

    @Override
    public String id() {
        return String.join("+", parts.stream().map(TextEncoder::id).toList());
    }

    @Override
    public int dimension() {
        return parts.stream().mapToInt(TextEncoder::dimension).sum();
    }

    @Override
    public int[] partDimensions() {
        return parts.stream().mapToInt(TextEncoder::dimension).toArray();
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        List<List<float[]>> each = new ArrayList<>(parts.size());
        for (TextEncoder p : parts) {
            each.add(p.encode(texts));
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            float[] v = new float[dimension()];
            int o = 0;
            for (List<float[]> e : each) {
                float[] x = e.get(i);
                System.arraycopy(x, 0, v, o, x.length);
                o += x.length;
            }
            out.add(v);
        }
        return out;
    }

    @Override
    public void close() {
        for (TextEncoder p : parts) {
            if (p instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close encoder " + p.id(), e);
                }
            }
        }
    }
}
