package dev.rlaif.rm.encode;

import java.io.BufferedOutputStream;
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
 * A {@link TextEncoder} that embeds each distinct text once: vectors are kept in memory and appended to a file
 * keyed by SHA-256 of (encoder id, text), so restarts and other processes sharing the directory reuse them.
 *
 * <p>File format: records of {@code [32-byte key][dimension float32]}, append-only. A record cut short by a crash
 * is ignored on load (and overwritten by later appends only logically: the file keeps growing, which is fine for
 * the sizes involved: 1.5 KB per text).
 */
public final class EmbeddingCache implements TextEncoder, AutoCloseable {

    private final TextEncoder delegate;
    private final Map<String, float[]> memory = new ConcurrentHashMap<>();
    private final Path file;
    private DataOutputStream out;

    private EmbeddingCache(TextEncoder delegate, Path file) {
        this.delegate = delegate;
        this.file = file;
    }

    /** Opens (or creates) the cache file for this encoder under {@code dir}; {@code dir == null} keeps it in memory only. */
    public static EmbeddingCache open(TextEncoder delegate, Path dir) {
        if (dir == null) {
            return new EmbeddingCache(delegate, null);
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(delegate.id().replaceAll("[^A-Za-z0-9._-]", "_") + ".emb");
            EmbeddingCache cache = new EmbeddingCache(delegate, file);
            cache.load();
            cache.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND)));
            return cache;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open embedding cache in " + dir, e);
        }
    }

    private void load() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        int dim = delegate.dimension();
        long size = Files.size(file);
        long whole = size / (32 + 4L * dim);
        try (InputStream raw = Files.newInputStream(file);
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
            // a record cut short: ignore it
        }
        if (whole * (32 + 4L * dim) != size) {
            // drop the partial tail so later appends stay aligned
            try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(whole * (32 + 4L * dim));
            }
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

    public int size() {
        return memory.size();
    }

    @Override
    public List<float[]> encode(List<String> texts) {
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

    private synchronized void append(List<String> keys, List<float[]> vectors) {
        if (out == null) {
            return;
        }
        try {
            for (int i = 0; i < keys.size(); i++) {
                out.write(HexFormat.of().parseHex(keys.get(i)));
                for (float x : vectors.get(i)) {
                    out.writeFloat(x);
                }
            }
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
