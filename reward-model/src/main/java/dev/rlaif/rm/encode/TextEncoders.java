package dev.rlaif.rm.encode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Encoders by name, as commands and services configure them, and by id, as manifests record them.
 *
 * <table>
 *   <tr><th>name</th><th>model (jar on Maven Central)</th></tr>
 *   <tr><td>{@code minilm}</td><td>all-MiniLM-L6-v2 int8 (the default, as before)</td></tr>
 *   <tr><td>{@code minilm-fp32}</td><td>all-MiniLM-L6-v2 fp32: batches safely (cold scoring)</td></tr>
 *   <tr><td>{@code bge-small}</td><td>BGE-small-en-v1.5 int8, [CLS] pooling</td></tr>
 *   <tr><td>{@code bge-small-fp32}</td><td>BGE-small-en-v1.5 fp32 (not quantised), [CLS] pooling, batches</td></tr>
 *   <tr><td>{@code e5-small}</td><td>E5-small-v2 int8, {@code "query: "} prefix</td></tr>
 *   <tr><td>{@code static-bge-small}, {@code static-minilm}</td><td>static token embeddings distilled from BGE-small
 *       int8 / fp32 MiniLM ({@link StaticEncoder}, Model2Vec-style): no transformer at encoding time</td></tr>
 *   <tr><td>{@code hashing-N}</td><td>hashed word counts (tests)</td></tr>
 *   <tr><td>{@code a+b[+c]}</td><td>the named encoders concatenated ({@link ConcatEncoder})</td></tr>
 * </table>
 */
public final class TextEncoders {

    private static final Map<String, OnnxSentenceModel.Model> NAMES = Map.of(
            "minilm", OnnxSentenceModel.MINILM_Q,
            "minilm-fp32", OnnxSentenceModel.MINILM,
            "bge-small", OnnxSentenceModel.BGE_SMALL_Q,
            "e5-small", OnnxSentenceModel.E5_SMALL_Q,
            "bge-small-fp32", OnnxSentenceModel.BGE_SMALL);
    /** Static-embedding encoders by name, with the model each table is distilled from. */
    private static final Map<String, OnnxSentenceModel.Model> STATIC = Map.of(
            "static-bge-small", OnnxSentenceModel.BGE_SMALL_Q,
            "static-minilm", OnnxSentenceModel.MINILM);
    private static final Pattern HASHING = Pattern.compile("hashing-(\\d+)");
    private static final Pattern WINDOWED = Pattern.compile("(.+)/w(\\d+)x(\\d+)");

    private TextEncoders() {
    }

    /** Whether {@code name} names an encoder (each part of a {@code +} list known). */
    public static boolean isName(String name) {
        if (name == null || name.isBlank()) {
            return false;
        }
        for (String part : name.split("\\+", -1)) {
            if (!NAMES.containsKey(part) && !STATIC.containsKey(part) && !HASHING.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }

    /** The encoder a name stands for, uncached. */
    public static TextEncoder byName(String name) {
        return open(name, null, false);
    }

    /**
     * The encoder a name stands for behind an embedding cache in {@code cacheDir} (null: memory only). A
     * concatenation caches each part under its own id, so a part's vectors are shared with models that use it
     * alone.
     */
    public static EmbeddingCache open(String name, Path cacheDir) {
        TextEncoder e = open(name, cacheDir, true);
        return e instanceof EmbeddingCache c ? c : EmbeddingCache.open(e, null);
    }

    private static TextEncoder open(String name, Path cacheDir, boolean cached) {
        if (!isName(name)) {
            throw new IllegalArgumentException("unknown encoder '" + name + "': use minilm, minilm-fp32, bge-small, bge-small-fp32, e5-small, "
                    + "static-bge-small, static-minilm, hashing-N, or several joined by +");
        }
        String[] parts = name.split("\\+");
        if (parts.length == 1) {
            TextEncoder base = single(parts[0]);
            return cached ? EmbeddingCache.open(base, cacheDir) : base;
        }
        List<TextEncoder> encs = new ArrayList<>();
        for (String p : parts) {
            TextEncoder base = single(p);
            encs.add(cached ? EmbeddingCache.open(base, cacheDir) : base);
        }
        return new ConcatEncoder(encs);
    }

    private static TextEncoder single(String name) {
        Matcher h = HASHING.matcher(name);
        if (h.matches()) {
            return new HashingEncoder(Integer.parseInt(h.group(1)));
        }
        OnnxSentenceModel.Model s = STATIC.get(name);
        if (s != null) {
            return new StaticEncoder(s);
        }
        OnnxSentenceModel.Model m = NAMES.get(name);
        return m == OnnxSentenceModel.MINILM_Q ? new MiniLmEncoder() : new WindowedEncoder(m);
    }

    /**
     * The name of the encoder whose id a manifest records ({@link TextEncoder#id()}), so a version is always read
     * with the encoder it was trained with; ids of versions written before the encoder was a choice
     * ({@code all-minilm-l6-v2-q/w64x4}) map to {@code minilm}.
     */
    public static String nameOfId(String id) {
        List<String> names = new ArrayList<>();
        for (String part : id.split("\\+")) {
            if (HASHING.matcher(part).matches()) {
                names.add(part);
                continue;
            }
            Matcher w = WINDOWED.matcher(part);
            String found = null;
            if (w.matches() && w.group(2).equals("64") && w.group(3).equals("4")) {
                for (var e : NAMES.entrySet()) {
                    if (e.getValue().id().equals(w.group(1))) {
                        found = e.getKey();
                    }
                }
            }
            for (var e : STATIC.entrySet()) {
                if (part.equals(StaticEmbeddings.idOf(e.getValue()) + "/w64x4")) {
                    found = e.getKey();
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("no encoder has the id '" + part + "'");
            }
            names.add(found);
        }
        return String.join("+", names);
    }
}
