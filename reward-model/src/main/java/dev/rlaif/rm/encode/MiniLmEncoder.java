package dev.rlaif.rm.encode;

import java.util.List;

/**
 * all-MiniLM-L6-v2 (int8 ONNX, shipped inside the langchain4j jar, so it runs fully offline), on word windows
 * ({@link WindowedEncoder}): the encoder of every model version written before the encoder became a choice; its
 * id, {@code all-minilm-l6-v2-q/w64x4}, and vectors are unchanged.
 */
public final class MiniLmEncoder implements TextEncoder {

    public static final int DIMENSION = OnnxSentenceModel.MINILM_Q.dimension();
    private final WindowedEncoder delegate;

    public MiniLmEncoder() {
        this(64, 4);
    }

    public MiniLmEncoder(int windowWords, int maxWindows) {
        delegate = new WindowedEncoder(OnnxSentenceModel.MINILM_Q, windowWords, maxWindows);
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        return delegate.encode(texts);
    }

    List<String> windows(String text) {
        return delegate.windows(text);
    }

    static void normalize(float[] v) {
        WindowedEncoder.normalize(v);
    }
}
