package dev.rlaif.rm.encode;

import java.util.List;

/** Turns texts into fixed-size vectors. Implementations are thread-safe. */
public interface TextEncoder {

    /** Identifies the encoder and its text handling; part of every cache key and of a model's manifest. */
    String id();

    int dimension();

    /** One vector per text, in order. */
    List<float[]> encode(List<String> texts);

    /**
     * The sizes of the encoders whose vectors lie side by side in this one's ({@link ConcatEncoder}), in order;
     * one part, the whole vector, for a single encoder. Late fusion ({@code TrainConfig.fusion}) gives each head
     * one part.
     */
    default int[] partDimensions() {
        return new int[] {dimension()};
    }
}
