package dev.rlaif.rm.encode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A static-embedding encoder ({@link StaticEmbeddings}, Model2Vec-style): a text's vector is the mean of its word
 * pieces' rows in a table distilled from a sentence model, L2-normalised. No transformer runs at encoding time, so
 * it encodes tens of thousands of texts a second on one core, at a cost in accuracy (measured in
 * docs/reward-model.md).
 *
 * <p>The text is cut as {@link WindowedEncoder} cuts it (its first 4 windows of 64 words, every window's word pieces
 * counted, so the same head of the text as the transformer encoders see), tokenised by the source model's own
 * vocabulary ({@link WordPiece}, in Java: the Hugging Face tokenizer's native call per text was the bottleneck),
 * without [CLS] / [SEP]. A text with no word piece in the table gets the vector of {@code "(empty)"}.
 */
public final class StaticEncoder implements TextEncoder {

    private final OnnxSentenceModel.Model source;
    private final Path dir;
    private final WindowedEncoder windows;
    private final WordPiece tokenizer;
    private volatile StaticEmbeddings table;

    /** The encoder over {@code source}'s table in {@link StaticEmbeddings#directory()}. */
    public StaticEncoder(OnnxSentenceModel.Model source) {
        this(source, StaticEmbeddings.directory());
    }

    public StaticEncoder(OnnxSentenceModel.Model source, Path dir) {
        this.source = source;
        this.dir = dir;
        this.windows = new WindowedEncoder(source);
        this.tokenizer = WordPiece.of(source);
    }

    /** The table, distilled on first use when no file holds it yet. */
    public StaticEmbeddings table() {
        StaticEmbeddings t = table;
        if (t == null) {
            t = StaticEmbeddings.of(source, dir);
            table = t;
        }
        return t;
    }

    @Override
    public String id() {
        return StaticEmbeddings.idOf(source) + "/w64x4";
    }

    @Override
    public int dimension() {
        return StaticEmbeddings.PCA_DIMS;
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        StaticEmbeddings t = table();
        List<float[]> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(encodeOne(t, text));
        }
        return out;
    }

    private float[] encodeOne(StaticEmbeddings t, String text) {
        float[] v = new float[t.dimension()];
        int[] n = {0};
        for (String w : windows.windows(text)) {
            tokenizer.tokenize(w, id -> {
                if (t.addRow(id, v)) {
                    n[0]++;
                }
            });
        }
        if (n[0] == 0 && !"(empty)".equals(text)) {
            return encodeOne(t, "(empty)");
        }
        WindowedEncoder.normalize(v);
        return v;
    }
}
