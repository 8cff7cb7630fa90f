package dev.rlaif.rm.cli;

import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.encode.TextEncoders;

import java.nio.file.Path;

/** The encoder named by an offline command ({@link TextEncoders}), with its cache directory. */
final class Encoders {

    private Encoders() {
    }

    static EmbeddingCache open(String name, Path cacheDir) {
        return TextEncoders.open(name, cacheDir);
    }
}
