package dev.rlaif.rm.encode;

import java.util.List;

/** Turns texts into fixed-size vectors. Implementations are thread-safe. */
public interface TextEncoder {

    /** Identifies the encoder and its text handling; part of every cache key and of a model's manifest. */
    String id();

    int dimension();

    /** One vector per text, in order. */
    List<float[]> encode(List<String> texts);
}
