package dev.rlaif.rm.encode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddingCacheTest {

    /** Counts how many texts reach the real encoder. */
    static final class Counting implements TextEncoder {
        final AtomicInteger calls = new AtomicInteger();
        final HashingEncoder inner = new HashingEncoder(8);

        public String id() {
            return inner.id();
        }

        public int dimension() {
            return 8;
        }

        public List<float[]> encode(List<String> texts) {
            calls.addAndGet(texts.size());
            return inner.encode(texts);
        }
    }

    @Test
    void embedsEachTextOnceAcrossRestartsAndWriters(@TempDir Path dir) throws Exception {
        Counting enc = new Counting();
        List<float[]> first;
        try (EmbeddingCache a = EmbeddingCache.open(enc, dir); EmbeddingCache b = EmbeddingCache.open(enc, dir)) {
            first = a.encode(List.of("alpha beta", "gamma", "alpha beta"));
            assertThat(enc.calls.get()).isEqualTo(2);
            b.encode(List.of("delta"));
            assertThat(enc.calls.get()).isEqualTo(3);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.count()).as("one segment per writer").isEqualTo(2);
        }
        try (EmbeddingCache c = EmbeddingCache.open(enc, dir)) {
            List<float[]> again = c.encode(List.of("gamma", "alpha beta", "delta"));
            assertThat(enc.calls.get()).as("all from disk").isEqualTo(3);
            assertThat(again.get(1)).isEqualTo(first.get(0));
            assertThat(c.size()).isEqualTo(3);
        }
    }

    @Test
    void ignoresARecordCutShortByACrash(@TempDir Path dir) throws Exception {
        Counting enc = new Counting();
        try (EmbeddingCache a = EmbeddingCache.open(enc, dir)) {
            a.encode(List.of("one", "two"));
        }
        Path seg;
        try (var files = Files.list(dir)) {
            seg = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(seg);
        Files.write(seg, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        try (EmbeddingCache b = EmbeddingCache.open(enc, dir)) {
            b.encode(new ArrayList<>(List.of("one", "two")));
            assertThat(enc.calls.get()).as("the cut record is embedded again").isEqualTo(3);
        }
    }

    @Test
    void miniLmWindowsCoverLongTexts() {
        MiniLmEncoder m = new MiniLmEncoder(64, 4);
        String longText = String.join(" ", java.util.Collections.nCopies(300, "word"));
        assertThat(m.windows(longText)).hasSize(4);
        assertThat(m.windows("")).containsExactly("(empty)");
        assertThat(m.windows("a b c")).containsExactly("a b c");
    }
}
