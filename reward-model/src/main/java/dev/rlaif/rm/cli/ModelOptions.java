package dev.rlaif.rm.cli;

import dev.rlaif.rm.encode.TextEncoder;
import dev.rlaif.rm.feature.FeatureSpec;
import dev.rlaif.rm.train.LossSwitches;
import dev.rlaif.rm.train.TrainConfig;
import picocli.CommandLine.Option;

/** What a model is made of and how it trains: the options {@code train} and {@code bench reward-model} share. */
final class ModelOptions {

    @Option(names = "--heads", defaultValue = "5", description = "Ensemble heads (default ${DEFAULT-VALUE}).")
    int heads;
    @Option(names = "--hidden", defaultValue = "32", description = "Hidden units per head (default ${DEFAULT-VALUE}).")
    int hidden;
    @Option(names = "--epochs", defaultValue = "6", description = "Epochs per head (default ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "Weight decay (default ${DEFAULT-VALUE}).")
    float weightDecay;
    @Option(names = "--dropout", defaultValue = "0.5", description = "Dropout (default ${DEFAULT-VALUE}).")
    float dropout;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialisation and order (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--lexical-buckets", defaultValue = "2048", description = "Hashed bag-of-words buckets in the MLP's input, 0 = none (default ${DEFAULT-VALUE}).")
    int lexicalBuckets;
    @Option(names = "--bow-buckets", defaultValue = "262144", description = "Buckets of the bag-of-words head, 0 = none (default ${DEFAULT-VALUE}).")
    int bowBuckets;
    @Option(names = "--joint", description = "Also encode last user turn + response as one text.")
    boolean joint;
    @Option(names = "--relation", description = "Also give the heads the cosine of the prompt's last user turn and the response (one feature).")
    boolean relation;
    @Option(names = "--calibrate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Scale the rewards by a temperature fitted on a held-out fifth of the training pairs (default: on; --no-calibrate).")
    boolean calibrate;
    @Option(names = "--bootstrap", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Each head trains on a bootstrap resample (default: every head sees all pairs, shuffled, with its own seed).")
    boolean bootstrap;
    @Option(names = "--margin", defaultValue = "0", description = "Adaptive margin scale (0 = off).")
    double margin;
    @Option(names = "--smoothing", defaultValue = "0", description = "Label smoothing for weak pairs (0 = off).")
    double smoothing;
    @Option(names = "--flip", defaultValue = "0", description = "Share of lowest-strength pairs eligible for flipping (0 = off).")
    double flip;
    @Option(names = "--contrastive", defaultValue = "0", description = "Weight of the contrastive loss on the heads' representations (0 = off).")
    double contrastive;
    @Option(names = "--meta-rm", defaultValue = "0", description = "MetaRM inner step size (0 = off); needs shifted samples.")
    double metaRm;
    @Option(names = "--fusion", description = "Late fusion in one model: with a concatenated encoder (e.g. e5-small+bge-small), head h sees only "
            + "encoder h mod parts's share of the features (plus lengths and lexical features); --heads must be a multiple of the parts.")
    boolean fusion;
    @Option(names = "--prompt-context", defaultValue = "last-turn", description = "The prompt text of the prompt x response block: last-turn "
            + "(the last user turn), user-turns (every user turn) or dialogue (the whole dialogue), the last 256 words (default ${DEFAULT-VALUE}).")
    String promptContext;
    @Option(names = "--encoder", defaultValue = "minilm", description = "minilm (all-MiniLM-L6-v2 int8), minilm-fp32, bge-small, bge-small-fp32, e5-small, static-bge-small, static-minilm (static embeddings distilled from those models: fast, less accurate), several joined by +, or hashing-N (tests).")
    String encoder;

    TrainConfig config(boolean wide) {
        return new TrainConfig(heads, hidden, epochs, 64, lr, weightDecay, dropout, bootstrap, seed,
                new LossSwitches(margin, smoothing, 0.3, flip, false), wide, calibrate, contrastive, metaRm, fusion);
    }

    FeatureSpec spec(TextEncoder enc) {
        return new FeatureSpec(enc.id(), enc.dimension(), lexicalBuckets, true, joint, bowBuckets, relation, promptContext);
    }
}
