package dev.rlaif.rm.cli;

import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.encode.HashingEncoder;
import dev.rlaif.rm.encode.MiniLmEncoder;
import dev.rlaif.rm.encode.TextEncoder;

import java.nio.file.Path;

/** The encoder named by an offline command ({@code minilm} or {@code hashing-N}), with its cache directory. */
final class Encoders {

    private Encoders() {
    }

    static EmbeddingCache open(String name, Path cacheDir) {
        TextEncoder base;
        if (name.startsWith("all-minilm") || name.equals("minilm")) {
            base = new MiniLmEncoder();
        } else if (name.startsWith("hashing-")) {
            base = new HashingEncoder(Integer.parseInt(name.substring("hashing-".length())));
        } else {
            throw new IllegalArgumentException("unknown encoder '" + name + "': use minilm or hashing-N");
        }
        return EmbeddingCache.open(base, cacheDir);
    }
}
