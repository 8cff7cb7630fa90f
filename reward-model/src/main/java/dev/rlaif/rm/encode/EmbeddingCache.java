package dev.rlaif.rm.encode;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link TextEncoder} that embeds each distinct text once: vectors are kept in memory and appended to disk
 * keyed by SHA-256 of (encoder id, text), so restarts and other services sharing the directory reuse them.
 *
 * <p>Each opened cache appends to its own segment file {@code <encoder>-<uuid>.emb} (records of
 * {@code [32-byte key][dimension float32]}) and reads every segment of its encoder at open, so several writers
 * (trainer, scorer, judge in one JVM or several) never share a file. A record cut short by a crash is ignored.
 * Memory: about 1.6 KB per distinct text (384 floats), all held in memory.
 *
 * <p>Encoders that are cheaper than a cache lookup ({@link StaticEncoder}: a mean of table rows) are not cached: the
 * cache passes every call through, keeps nothing and writes no file, and {@link #contains} is true for every text
 * (encoding it costs next to nothing).
 */
public final class EmbeddingCache implements TextEncoder, AutoCloseable {

    private final TextEncoder delegate;
    private final Map<String, float[]> memory = new ConcurrentHashMap<>();
    private final Path file;
    private final boolean passThrough;
    private java.io.OutputStream out;

    private EmbeddingCache(TextEncoder delegate, Path file) {
        this.delegate = delegate;
        this.file = file;
        this.passThrough = delegate instanceof StaticEncoder;
    }

    /** Opens (or creates) the cache for this encoder under {@code dir}; {@code dir == null} keeps it in memory only. */
    public static EmbeddingCache open(TextEncoder delegate, Path dir) {
        if (dir == null || delegate instanceof StaticEncoder) {
            return new EmbeddingCache(delegate, null);
        }
        try {
            Files.createDirectories(dir);
            String prefix = delegate.id().replaceAll("[^A-Za-z0-9._-]", "_");
            EmbeddingCache cache = new EmbeddingCache(delegate, dir.resolve(prefix + "-" + java.util.UUID.randomUUID() + ".emb"));
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix + "-")
                        && f.getFileName().toString().endsWith(".emb")).toList()) {
                    cache.load(f);
                }
            }
            return cache;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open embedding cache in " + dir, e);
        }
    }

    /** Reads one segment; a record cut short by a crash at its end is ignored. */
    private void load(Path segment) throws IOException {
        int dim = delegate.dimension();
        long whole = Files.size(segment) / (32 + 4L * dim);
        try (InputStream raw = Files.newInputStream(segment);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            byte[] key = new byte[32];
            for (long r = 0; r < whole; r++) {
                in.readFully(key);
                float[] v = new float[dim];
                for (int d = 0; d < dim; d++) {
                    v[d] = in.readFloat();
                }
                memory.put(HexFormat.of().formatHex(key), v);
            }
        } catch (EOFException ignored) {
            // shorter than it was a moment ago: ignore the rest
        }
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public int[] partDimensions() {
        return delegate.partDimensions();
    }

    public int size() {
        return memory.size();
    }

    /** True when {@code text} is already embedded (encoding it costs nothing). */
    public boolean contains(String text) {
        return passThrough || memory.containsKey(key(text));
    }

    @Override
    public List<float[]> encode(List<String> texts) {
        if (passThrough) {
            return delegate.encode(texts);
        }
        List<String> keys = new ArrayList<>(texts.size());
        Map<String, String> missing = new LinkedHashMap<>();
        for (String t : texts) {
            String k = key(t);
            keys.add(k);
            if (!memory.containsKey(k)) {
                missing.put(k, t);
            }
        }
        if (!missing.isEmpty()) {
            List<String> ks = new ArrayList<>(missing.keySet());
            List<float[]> vs = delegate.encode(new ArrayList<>(missing.values()));
            for (int i = 0; i < ks.size(); i++) {
                memory.put(ks.get(i), vs.get(i));
            }
            append(ks, vs);
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (String k : keys) {
            out.add(memory.get(k));
        }
        return out;
    }

    /**
     * Appends whole records in one write call on an O_APPEND stream, so processes (or stores in one JVM) sharing
     * the file never interleave parts of records.
     */
    private synchronized void append(List<String> keys, List<float[]> vectors) {
        if (file == null) {
            return;
        }
        try {
            if (out == null) {
                out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(keys.size() * (32 + 4 * dimension()));
            DataOutputStream data = new DataOutputStream(bytes);
            for (int i = 0; i < keys.size(); i++) {
                data.write(HexFormat.of().parseHex(keys.get(i)));
                for (float x : vectors.get(i)) {
                    data.writeFloat(x);
                }
            }
            out.write(bytes.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to embedding cache " + file, e);
        }
    }

    private String key(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(delegate.id().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update((text == null ? "" : text).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (delegate instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close encoder " + delegate.id(), e);
            }
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out = null;
        }
    }
}
