package dev.rlaif.rm.encode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * BERT's uncased word-piece tokenizer in plain Java, with the vocabulary of a model's tokenizer.json: the
 * {@code BertNormalizer} (clean text, space around CJK characters, lower case, accents stripped), the
 * {@code BertPreTokenizer} (split at white space and around every punctuation character) and greedy longest-match
 * {@code WordPiece} ({@code ##} continuations, a word of more than 100 characters or with an unmatched rest is
 * {@code [UNK]}). It gives the Hugging Face tokenizer's ids (checked in {@code StaticEncoderTest} on real texts)
 * without a native call per text, which at a few thousand texts a second was the static encoder's bottleneck.
 * No special tokens are added and nothing is truncated.
 */
final class WordPiece {

    private static final int MAX_WORD_CHARS = 100;

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> continuation;
    private final int unk;

    private WordPiece(Map<String, Integer> vocab, int unk) {
        this.vocab = vocab;
        this.unk = unk;
        this.continuation = new HashMap<>();
        for (var e : vocab.entrySet()) {
            if (e.getKey().startsWith("##")) {
                continuation.put(e.getKey().substring(2), e.getValue());
            }
        }
    }

    /** The tokenizer of a model in a jar (its {@code <resource>-tokenizer.json}). */
    static WordPiece of(OnnxSentenceModel.Model source) {
        String name = source.resource() + "-tokenizer.json";
        try (InputStream in = WordPiece.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is not on the classpath (" + source.artifact() + ")");
            }
            JsonNode model = Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8)).path("model");
            if (!"WordPiece".equals(model.path("type").asText())) {
                throw new IllegalStateException(name + " is not a WordPiece tokenizer");
            }
            Map<String, Integer> vocab = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
                var e = it.next();
                vocab.put(e.getKey(), e.getValue().asInt());
            }
            Integer unk = vocab.get(model.path("unk_token").asText("[UNK]"));
            if (unk == null) {
                throw new IllegalStateException(name + " has no unknown token");
            }
            return new WordPiece(vocab, unk);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokenizer of " + source.id(), e);
        }
    }

    /** Passes the word-piece ids of {@code text} to {@code out}, in order. */
    void tokenize(String text, LongConsumer out) {
        String s = normalise(text);
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            if (isPunctuation(cp)) {
                int len = Character.charCount(cp);
                wordPieces(s.substring(i, i + len), out);
                i += len;
                continue;
            }
            int j = i;
            while (j < n) {
                int cj = s.codePointAt(j);
                if (cj == ' ' || isPunctuation(cj)) {
                    break;
                }
                j += Character.charCount(cj);
            }
            wordPieces(s.substring(i, j), out);
            i = j;
        }
    }

    private void wordPieces(String word, LongConsumer out) {
        if (word.codePointCount(0, word.length()) > MAX_WORD_CHARS) {
            out.accept(unk);
            return;
        }
        Integer whole = vocab.get(word);
        if (whole != null) {
            out.accept(whole);
            return;
        }
        int start = 0;
        int n = word.length();
        long[] pieces = new long[n];
        int k = 0;
        while (start < n) {
            int end = n;
            Integer found = null;
            Map<String, Integer> table = start == 0 ? vocab : continuation;
            while (start < end) {
                found = table.get(word.substring(start, end));
                if (found != null) {
                    break;
                }
                end = Character.isLowSurrogate(word.charAt(end - 1)) && end - 2 > start ? end - 2 : end - 1;
            }
            if (found == null) {
                out.accept(unk);
                return;
            }
            pieces[k++] = found;
            start = end;
        }
        for (int p = 0; p < k; p++) {
            out.accept(pieces[p]);
        }
    }

    /** BertNormalizer: control characters dropped, white space to ' ', CJK spaced, lower case, accents stripped. */
    static String normalise(String text) {
        if (text == null) {
            return "";
        }
        boolean ascii = true;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        StringBuilder b = new StringBuilder(text.length() + 8);
        if (ascii) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\t' || c == '\n' || c == '\r' || c == ' ') {
                    b.append(' ');
                } else if (c < 0x20 || c == 0x7f) {
                    continue;
                } else {
                    b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
                }
            }
            return b.toString();
        }
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                b.append(' ');
            } else if (isCjk(cp)) {
                b.append(' ').appendCodePoint(cp).append(' ');
            } else {
                b.appendCodePoint(cp);
            }
        });
        String lower = b.toString().toLowerCase(Locale.ROOT);
        String nfd = Normalizer.normalize(lower, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(nfd.length());
        nfd.codePoints().forEach(cp -> {
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE || t == Character.SURROGATE
                || t == Character.UNASSIGNED;
    }

    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        if (cp < 128) {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
    }

    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
