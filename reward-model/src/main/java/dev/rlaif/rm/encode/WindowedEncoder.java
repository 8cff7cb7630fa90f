package dev.rlaif.rm.encode;

import java.util.ArrayList;
import java.util.List;

/**
 * A sentence encoder from a langchain4j jar ({@link OnnxSentenceModel}: all-MiniLM-L6-v2 int8 or fp32,
 * BGE-small-en-v1.5, E5-small-v2), applied to word windows so long texts are not cut at the first 128 word pieces.
 *
 * <p>The encoders cut at 128 word pieces, so a long text would lose everything after its first
 * ~90 words. We split each text into windows of {@code windowWords} words (64 by default: 64 English words are
 * about 80-100 word pieces, inside the limit), embed every window, and mean-pool the window vectors weighted by
 * their word counts, then L2-normalise. At most {@code maxWindows} windows are used (the text's head: the first
 * 4 x 64 = 256 words); longer texts are rare in preference data and their tail is dropped.
 */
public final class WindowedEncoder implements TextEncoder {

    private final OnnxSentenceModel.Model model;
    private final int windowWords;
    private final int maxWindows;

    public WindowedEncoder(OnnxSentenceModel.Model model) {
        this(model, 64, 4);
    }

    public WindowedEncoder(OnnxSentenceModel.Model model, int windowWords, int maxWindows) {
        this.model = model;
        if (windowWords < 8 || maxWindows < 1) {
            throw new IllegalArgumentException("windowWords >= 8 and maxWindows >= 1 required");
        }
        this.windowWords = windowWords;
        this.maxWindows = maxWindows;
    }

    @Override
    public String id() {
        return model.id() + "/w" + windowWords + "x" + maxWindows;
    }

    @Override
    public int dimension() {
        return model.dimension();
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        List<String> segments = new ArrayList<>();
        int[] first = new int[texts.size()];
        int[][] weights = new int[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            List<String> windows = windows(texts.get(i));
            first[i] = segments.size();
            weights[i] = new int[windows.size()];
            for (int w = 0; w < windows.size(); w++) {
                segments.add(windows.get(w));
                weights[i][w] = Math.max(1, windows.get(w).split(" ").length);
            }
        }
        List<float[]> embedded = segments.isEmpty() ? List.of() : OnnxSentenceModel.of(model).embedAll(segments);
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            float[] v = new float[model.dimension()];
            for (int w = 0; w < weights[i].length; w++) {
                float[] e = embedded.get(first[i] + w);
                for (int d = 0; d < v.length; d++) {
                    v[d] += weights[i][w] * e[d];
                }
            }
            normalize(v);
            out.add(v);
        }
        return out;
    }

    /** The text's word windows; an empty text gives one window "(empty)" so every text has a vector. */
    List<String> windows(String text) {
        String[] words = text == null ? new String[0] : text.trim().split("\\s+");
        List<String> out = new ArrayList<>();
        if (words.length == 0 || (words.length == 1 && words[0].isEmpty())) {
            out.add("(empty)");
            return out;
        }
        for (int start = 0; start < words.length && out.size() < maxWindows; start += windowWords) {
            out.add(String.join(" ", java.util.Arrays.copyOfRange(words, start, Math.min(words.length, start + windowWords))));
        }
        return out;
    }

    static void normalize(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        n = Math.sqrt(n);
        if (n > 0) {
            for (int d = 0; d < v.length; d++) {
                v[d] /= (float) n;
            }
        }
    }
}
