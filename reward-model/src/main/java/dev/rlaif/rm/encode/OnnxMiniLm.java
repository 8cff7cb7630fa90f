package dev.rlaif.rm.encode;

import java.util.List;

/**
 * The int8 all-MiniLM-L6-v2 of the langchain4j jar on ONNX Runtime ({@link OnnxSentenceModel#MINILM_Q}): one text
 * per call, calls side by side on one single-threaded worker per core.
 *
 * <p>Why not langchain4j's own embedding model: its session runs every call on all cores while it also runs calls
 * side by side, so two calls fight over two cores; single-threaded calls in parallel embed 806-892 one-window texts/s
 * on 2 cores against its 497-546, with the same vectors (cosine 0.9999996 or more over 1,024 HH-RLHF responses).
 */
public final class OnnxMiniLm {

    public static final int DIMENSION = 384;
    private static final OnnxMiniLm INSTANCE = new OnnxMiniLm();

    private OnnxMiniLm() {
    }

    public static OnnxMiniLm shared() {
        return INSTANCE;
    }

    public List<float[]> embedAll(List<String> texts) {
        return OnnxSentenceModel.of(OnnxSentenceModel.MINILM_Q).embedAll(texts);
    }

    public float[] embed(String text) {
        return OnnxSentenceModel.of(OnnxSentenceModel.MINILM_Q).embed(text);
    }
}
