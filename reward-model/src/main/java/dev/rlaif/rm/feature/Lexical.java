package dev.rlaif.rm.feature;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Word tokens and hashed unigram + bigram features, shared by the model's lexical block and the baseline. */
public final class Lexical {

    private Lexical() {
    }

    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String t : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Distinct bucket indices of the text's unigrams and bigrams in {@code [0, buckets)}. */
    public static int[] hashedTerms(String text, int buckets) {
        List<String> toks = tokens(text);
        java.util.Set<Integer> set = new java.util.LinkedHashSet<>();
        for (int i = 0; i < toks.size(); i++) {
            set.add(bucket(toks.get(i), buckets));
            if (i + 1 < toks.size()) {
                set.add(bucket(toks.get(i) + " " + toks.get(i + 1), buckets));
            }
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }

    static int bucket(String term, int buckets) {
        int h = term.hashCode() * 0x9E3779B9;
        h ^= h >>> 16;
        return Math.floorMod(h, buckets);
    }
}
