package dev.rlaif.rm.feature;

import dev.rlaif.rm.ScoringInput;
import dev.rlaif.rm.encode.TextEncoder;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Critique;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the feature vector of a (prompt, response, critique):
 * <ol>
 *   <li>the response's encoding {@code e_r} (windows mean-pooled, see {@link dev.rlaif.rm.encode.MiniLmEncoder});</li>
 *   <li>{@code e_p * e_r} element-wise, where {@code e_p} encodes the prompt's last user turn: how the response
 *       relates to what was asked (the prompt alone cancels out of a pairwise margin);</li>
 *   <li>when the spec says joint: the encoding of "last user turn, newline, response" as one text (the encoder
 *       sees request and answer together, e.g. compliance with a harmful request);</li>
 *   <li>when the spec has critiques: the critique summary's encoding and its three aspect scores / 10 plus a
 *       presence flag (zeros when the response has no critique), after the synthetic-critiques paper;</li>
 *   <li>length features: log(1+chars), log(1+words), log(1+lines), share of '?' among sentence ends,
 *       log((1+response words)/(1+prompt words));</li>
 *   <li>when the spec says relation: the cosine of {@code e_p} and {@code e_r} (how close the answer stays to
 *       the request; it is the sum of block 2, given to the heads as one number);</li>
 *   <li>hashed binary bag of unigrams and bigrams of the response ({@code lexicalBuckets} dimensions).</li>
 * </ol>
 * The bag-of-words head's input ({@link #bowTerms}) is not part of the vector: it is the response's bucket
 * indices in a much larger hashed space (2^18), which would not fit a dense vector.
 * Texts are encoded in one batch per call so the encoder (and its cache) sees each distinct text once.
 */
public final class FeatureExtractor {

    /** The bag-of-words terms of a response when the spec has no bag-of-words head. */
    public static final int[] NO_TERMS = new int[0];

    private final TextEncoder encoder;
    private final FeatureSpec spec;

    public FeatureExtractor(TextEncoder encoder, FeatureSpec spec) {
        if (!encoder.id().equals(spec.encoderId()) || encoder.dimension() != spec.embeddingDim()) {
            throw new IllegalArgumentException("encoder " + encoder.id() + " does not match the model's " + spec.encoderId());
        }
        this.encoder = encoder;
        this.spec = spec;
    }

    public static FeatureSpec defaultSpec(TextEncoder encoder) {
        return new FeatureSpec(encoder.id(), encoder.dimension(), 2048, true, false, FeatureSpec.DEFAULT_BOW_BUCKETS);
    }

    /** The bag-of-words head's bucket indices of the response (distinct; empty when the spec has no head). */
    public int[] bowTerms(ScoringInput input) {
        return spec.bowBuckets() == 0 ? NO_TERMS : Lexical.hashedTerms(input.response(), spec.bowBuckets());
    }

    public FeatureSpec spec() {
        return spec;
    }

    /** The sizes of the encoder's parts ({@link TextEncoder#partDimensions()}): what late fusion splits the heads by. */
    public int[] partDimensions() {
        return encoder.partDimensions();
    }

    public List<float[]> features(List<ScoringInput> inputs) {
        int n = inputs.size();
        int e = spec.embeddingDim();
        List<String> texts = new ArrayList<>(3 * n);
        for (ScoringInput in : inputs) {
            texts.add(nullToEmpty(in.response()));
            texts.add(promptText(in.prompt()));
            if (spec.joint()) {
                texts.add(lastUserTurn(in.prompt()) + "\n" + nullToEmpty(in.response()));
            }
            if (spec.critique() && in.critique() != null) {
                texts.add(nullToEmpty(in.critique().getSummary()));
            }
        }
        List<float[]> vecs = encoder.encode(texts);
        List<float[]> out = new ArrayList<>(n);
        int k = 0;
        for (ScoringInput in : inputs) {
            float[] x = new float[spec.dimension()];
            float[] er = vecs.get(k++);
            float[] ep = vecs.get(k++);
            System.arraycopy(er, 0, x, 0, e);
            for (int d = 0; d < e; d++) {
                x[e + d] = ep[d] * er[d];
            }
            int o = 2 * e;
            if (spec.joint()) {
                System.arraycopy(vecs.get(k++), 0, x, o, e);
                o += e;
            }
            if (spec.critique()) {
                Critique c = in.critique();
                if (c != null) {
                    System.arraycopy(vecs.get(k++), 0, x, o, e);
                    x[o + e] = aspect(c.getInstructionFollowing());
                    x[o + e + 1] = aspect(c.getCorrectness());
                    x[o + e + 2] = aspect(c.getStyle());
                    x[o + e + 3] = 1f;
                }
                o += e + FeatureSpec.CRITIQUE_SCALARS;
            }
            lengths(in, x, o);
            if (spec.relation()) {
                x[o + FeatureSpec.LENGTH_FEATURES] = cosine(ep, er);
            }
            if (spec.lexicalBuckets() > 0) {
                int base = spec.lexicalOffset();
                for (int b : Lexical.hashedTerms(in.response(), spec.lexicalBuckets())) {
                    x[base + b] = 1f;
                }
            }
            out.add(x);
        }
        return out;
    }

    private static float cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0f : (float) (dot / Math.sqrt(na * nb));
    }

    private static float aspect(dev.rlaif.schema.CritiqueAspect a) {
        return a == null ? 0f : a.getScore() / 10f;
    }

    private static void lengths(ScoringInput in, float[] x, int o) {
        String r = nullToEmpty(in.response());
        int words = Lexical.tokens(r).size();
        int promptWords = Lexical.tokens(lastUserTurn(in.prompt())).size();
        long lines = r.lines().count();
        long ends = r.chars().filter(ch -> ch == '.' || ch == '!' || ch == '?').count();
        long questions = r.chars().filter(ch -> ch == '?').count();
        x[o] = (float) Math.log1p(r.length());
        x[o + 1] = (float) Math.log1p(words);
        x[o + 2] = (float) Math.log1p(lines);
        x[o + 3] = ends == 0 ? 0f : (float) questions / ends;
        x[o + 4] = (float) Math.log((1.0 + words) / (1.0 + promptWords));
    }

    /**
     * The prompt's text encoded for the prompt x response block, as the spec's {@link FeatureSpec#promptContext()}
     * says: the last user turn, every user turn, or the whole dialogue (the last two: the last
     * {@value FeatureSpec#CONTEXT_WORDS} words, what the encoders read; in HH-RLHF the harm of an answer often
     * depends on earlier turns, e.g. "how do I do that?").
     */
    public String promptText(List<ChatMessage> prompt) {
        return promptText(prompt, spec.promptContext());
    }

    /** The prompt's text for the prompt x response block under a {@link FeatureSpec#promptContext()}. */
    public static String promptText(List<ChatMessage> prompt, String context) {
        if (context.equals(FeatureSpec.LAST_TURN) || prompt == null || prompt.isEmpty()) {
            return lastUserTurn(prompt);
        }
        boolean dialogue = context.equals(FeatureSpec.DIALOGUE);
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : prompt) {
            boolean user = "user".equalsIgnoreCase(m.getRole()) || "human".equalsIgnoreCase(m.getRole());
            if (!user && !dialogue) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            if (dialogue) {
                sb.append(user ? "User" : "assistant".equalsIgnoreCase(m.getRole()) ? "Assistant" : nullToEmpty(m.getRole())).append(": ");
            }
            sb.append(nullToEmpty(m.getContent()));
        }
        if (sb.length() == 0) {
            return lastUserTurn(prompt);
        }
        String[] words = sb.toString().trim().split("\\s+");
        return words.length <= FeatureSpec.CONTEXT_WORDS ? sb.toString()
                : String.join(" ", java.util.Arrays.copyOfRange(words, words.length - FeatureSpec.CONTEXT_WORDS, words.length));
    }

    /** The last user turn of the prompt (the whole transcript's last turn when no role says user). */
    public static String lastUserTurn(List<ChatMessage> prompt) {
        if (prompt == null || prompt.isEmpty()) {
            return "";
        }
        for (int i = prompt.size() - 1; i >= 0; i--) {
            String role = prompt.get(i).getRole();
            if ("user".equalsIgnoreCase(role) || "human".equalsIgnoreCase(role)) {
                return nullToEmpty(prompt.get(i).getContent());
            }
        }
        return nullToEmpty(prompt.get(prompt.size() - 1).getContent());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
