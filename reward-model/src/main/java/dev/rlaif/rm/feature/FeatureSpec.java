package dev.rlaif.rm.feature;

/**
 * What a feature vector holds; saved in each model's manifest so the scorer builds the same vectors the model
 * was trained on.
 *
 * @param encoderId      the text encoder ({@link dev.rlaif.rm.encode.TextEncoder#id()})
 * @param embeddingDim   its vector size
 * @param lexicalBuckets hashed bag-of-words buckets over the response (0 disables lexical features)
 * @param critique       whether critique scores and the critique's encoding are part of the vector
 * @param joint          whether the encoding of "last user turn + response" as one text is part of the vector
 * @param bowBuckets     buckets of the model's bag-of-words head ({@link dev.rlaif.rm.BowWeights}) over the
 *                       response's hashed unigrams and bigrams, kept apart from the dense vector as bucket
 *                       indices; 0 for none (versions written before the head existed read as 0)
 * @param relation       whether the cosine of the prompt's last user turn and the response is part of the vector
 *                       (one more dense feature after the length block); versions written before it read as false
 * @param promptContext  which text of the prompt is encoded for the prompt x response block (and the relation
 *                       feature): {@value #LAST_TURN} (the last user turn), {@value #USER_TURNS} (every user turn, the
 *                       last {@value #CONTEXT_WORDS} words) or {@value #DIALOGUE} (the whole dialogue with its roles,
 *                       the last {@value #CONTEXT_WORDS} words); versions written before it read as {@value #LAST_TURN}
 */
public record FeatureSpec(String encoderId, int embeddingDim, int lexicalBuckets, boolean critique, boolean joint,
                          int bowBuckets, boolean relation, String promptContext) {

    public static final String LAST_TURN = "last-turn";
    public static final String USER_TURNS = "user-turns";
    public static final String DIALOGUE = "dialogue";
    /** Words of the dialogue kept for {@value #USER_TURNS} and {@value #DIALOGUE}: what the encoders read (4 windows of 64). */
    public static final int CONTEXT_WORDS = 256;

    /** Buckets of the bag-of-words head of new models: 2^18, as the baseline it is measured against. */
    public static final int DEFAULT_BOW_BUCKETS = 1 << 18;

    public static final int CRITIQUE_SCALARS = 4;
    public static final int LENGTH_FEATURES = 5;

    public FeatureSpec {
        if (embeddingDim <= 0 || lexicalBuckets < 0 || bowBuckets < 0) {
            throw new IllegalArgumentException("embeddingDim > 0, lexicalBuckets >= 0 and bowBuckets >= 0 required");
        }
        if (promptContext == null) {
            promptContext = LAST_TURN;
        }
        if (!promptContext.equals(LAST_TURN) && !promptContext.equals(USER_TURNS) && !promptContext.equals(DIALOGUE)) {
            throw new IllegalArgumentException("prompt context must be " + LAST_TURN + ", " + USER_TURNS + " or " + DIALOGUE + ", not " + promptContext);
        }
    }

    /** The prompt's last user turn for the prompt x response block (as before the choice existed). */
    public FeatureSpec(String encoderId, int embeddingDim, int lexicalBuckets, boolean critique, boolean joint,
                       int bowBuckets, boolean relation) {
        this(encoderId, embeddingDim, lexicalBuckets, critique, joint, bowBuckets, relation, LAST_TURN);
    }

    public FeatureSpec withPromptContext(String context) {
        return new FeatureSpec(encoderId, embeddingDim, lexicalBuckets, critique, joint, bowBuckets, relation, context);
    }

    /** Without the relation feature. */
    public FeatureSpec(String encoderId, int embeddingDim, int lexicalBuckets, boolean critique, boolean joint, int bowBuckets) {
        this(encoderId, embeddingDim, lexicalBuckets, critique, joint, bowBuckets, false);
    }

    /** Without a bag-of-words head. */
    public FeatureSpec(String encoderId, int embeddingDim, int lexicalBuckets, boolean critique, boolean joint) {
        this(encoderId, embeddingDim, lexicalBuckets, critique, joint, 0);
    }

    /** Offset of the first dimension that is not a dense (standardised) feature: the lexical block. */
    public int lexicalOffset() {
        return (joint ? 3 : 2) * embeddingDim + (critique ? embeddingDim + CRITIQUE_SCALARS : 0) + LENGTH_FEATURES
                + (relation ? 1 : 0);
    }

    /**
     * Where the blocks that hold an encoder's vector start (each {@link #embeddingDim} long): the response, the
     * prompt x response product, the joint encoding when on, the critique's encoding when on. Everything else
     * (critique scalars, lengths, relation, lexical block) is not the encoder's.
     */
    public int[] encoderBlocks() {
        int e = embeddingDim;
        java.util.List<Integer> out = new java.util.ArrayList<>(java.util.List.of(0, e));
        int o = 2 * e;
        if (joint) {
            out.add(o);
            o += e;
        }
        if (critique) {
            out.add(o);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public int dimension() {
        return lexicalOffset() + lexicalBuckets;
    }
}
