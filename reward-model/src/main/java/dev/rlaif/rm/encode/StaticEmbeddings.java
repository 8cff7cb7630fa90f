package dev.rlaif.rm.encode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A static token-embedding table distilled from a sentence model, as Model2Vec does (Tulkens and van Dongen, 2024):
 * every vocabulary token goes through the model once, as the one-token text {@code [CLS] token [SEP]}, and its
 * sentence vector becomes the token's row; the rows are centred, reduced by PCA to {@link #PCA_DIMS} dimensions, and
 * weighted by SIF over Zipf frequencies estimated from the vocabulary rank ({@code a / (a + p(rank))}, {@code a =
 * 1e-4}, {@code p} proportional to {@code 1 / (rank + 1)}, as Model2Vec's post-processing). A text's vector is then
 * the mean of its word pieces' rows ({@link StaticEncoder}): no transformer at encoding time.
 *
 * <p>The table is a function of the model in its jar, so it is built once per machine, on first use (or by
 * {@code ./rlaif warmup}), and kept in {@link #directory()} ({@code RLAIF_STATIC_EMBEDDINGS_DIR}, default
 * {@code ~/.cache/rlaif/static-embeddings}); nothing is downloaded. The file is written to a temporary name and
 * renamed, and one whose size or header does not match is rebuilt.
 */
public final class StaticEmbeddings {

    private static final Logger log = LoggerFactory.getLogger(StaticEmbeddings.class);

    public static final int PCA_DIMS = 256;
    public static final double SIF = 1e-4;
    private static final int MAGIC = 0x524c5345;   // "RLSE"
    private static final int FORMAT = 1;
    private static final int CHUNK = 2048;
    private static final Map<String, StaticEmbeddings> LOADED = new ConcurrentHashMap<>();

    private final String id;
    private final int vocab;
    private final int dim;
    private final float[] rows;

    StaticEmbeddings(String id, int vocab, int dim, float[] rows) {
        if (rows.length != (long) vocab * dim) {
            throw new IllegalArgumentException("table of " + rows.length + " floats is not " + vocab + " x " + dim);
        }
        this.id = id;
        this.vocab = vocab;
        this.dim = dim;
        this.rows = rows;
    }

    /** The table's id: {@code m2v-<model id>/pca<dims>}. */
    public static String idOf(OnnxSentenceModel.Model source) {
        return "m2v-" + source.id() + "/pca" + PCA_DIMS;
    }

    public String id() {
        return id;
    }

    public int vocab() {
        return vocab;
    }

    public int dimension() {
        return dim;
    }

    /** Adds row {@code token} to {@code acc}; false (nothing added) for an id outside the table. */
    boolean addRow(long token, float[] acc) {
        if (token < 0 || token >= vocab) {
            return false;
        }
        int off = (int) token * dim;
        for (int d = 0; d < dim; d++) {
            acc[d] += rows[off + d];
        }
        return true;
    }

    /** Where tables are kept: {@code RLAIF_STATIC_EMBEDDINGS_DIR}, else {@code ~/.cache/rlaif/static-embeddings}. */
    public static Path directory() {
        String env = System.getenv("RLAIF_STATIC_EMBEDDINGS_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "rlaif", "static-embeddings");
    }

    /** The JVM's table for {@code source}: read from {@code dir}, else distilled from the model and written there. */
    public static StaticEmbeddings of(OnnxSentenceModel.Model source, Path dir) {
        String id = idOf(source);
        return LOADED.computeIfAbsent(id + "@" + dir.toAbsolutePath(), k -> loadOrBuild(source, dir));
    }

    private static StaticEmbeddings loadOrBuild(OnnxSentenceModel.Model source, Path dir) {
        String id = idOf(source);
        Path file = dir.resolve(id.replaceAll("[^A-Za-z0-9._-]", "_") + ".tbl");
        if (Files.isRegularFile(file)) {
            try {
                return read(file, id);
            } catch (IOException | RuntimeException e) {
                log.warn("static embedding table {} unreadable ({}); rebuilding it", file, e.toString());
            }
        }
        long t0 = System.nanoTime();
        StaticEmbeddings table = distill(source);
        try {
            table.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the static embedding table " + file, e);
        }
        log.info("static embedding table {} distilled from {} in {} s ({} tokens x {} dims), kept in {}", id, source.id(),
                String.format("%.1f", (System.nanoTime() - t0) / 1e9), table.vocab, table.dim, file);
        return table;
    }

    /** Passes every vocabulary token through the model (one-token texts) and post-processes the rows. */
    static StaticEmbeddings distill(OnnxSentenceModel.Model source) {
        Vocabulary v = Vocabulary.of(source);
        OnnxSentenceModel model = OnnxSentenceModel.of(source);
        float[][] raw = new float[v.size()][];
        for (int start = 0; start < v.size(); start += CHUNK) {
            List<long[]> seqs = new ArrayList<>();
            for (int t = start; t < Math.min(v.size(), start + CHUNK); t++) {
                seqs.add(new long[] {v.cls(), t, v.sep()});
            }
            List<float[]> out = model.embedIds(seqs);
            for (int j = 0; j < out.size(); j++) {
                raw[start + j] = out.get(j);
            }
            log.debug("distilling {}: {} of {} tokens", source.id(), Math.min(v.size(), start + CHUNK), v.size());
        }
        return postProcess(idOf(source), raw, PCA_DIMS, SIF);
    }

    /**
     * Model2Vec's post-processing of raw token vectors (row = token id, ids in frequency-rank order): centre, PCA to
     * {@code dims} (components in decreasing variance, each signed so its largest entry is positive, so the table
     * does not depend on the eigen solver's sign choice), then SIF weights {@code a / (a + p)} with Zipf
     * probabilities {@code p(id) ~ 1 / (id + 2)}.
     */
    static StaticEmbeddings postProcess(String id, float[][] raw, int dims, double sif) {
        int n = raw.length;
        int in = raw[0].length;
        if (dims > in) {
            throw new IllegalArgumentException("cannot reduce " + in + " dimensions to " + dims);
        }
        double[] mean = new double[in];
        for (float[] r : raw) {
            for (int d = 0; d < in; d++) {
                mean[d] += r[d];
            }
        }
        for (int d = 0; d < in; d++) {
            mean[d] /= n;
        }
        double[][] cov = new double[in][in];
        double[] c = new double[in];
        for (float[] r : raw) {
            for (int d = 0; d < in; d++) {
                c[d] = r[d] - mean[d];
            }
            for (int a = 0; a < in; a++) {
                double ca = c[a];
                double[] row = cov[a];
                for (int b = a; b < in; b++) {
                    row[b] += ca * c[b];
                }
            }
        }
        for (int a = 0; a < in; a++) {
            for (int b = a; b < in; b++) {
                cov[a][b] /= n;
                cov[b][a] = cov[a][b];
            }
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] values = eig.getRealEigenvalues();
        Integer[] order = new Integer[in];
        for (int i = 0; i < in; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
        double[][] comp = new double[dims][];
        for (int k = 0; k < dims; k++) {
            RealVector ev = eig.getEigenvector(order[k]);
            double[] e = ev.toArray();
            int arg = 0;
            for (int d = 1; d < in; d++) {
                if (Math.abs(e[d]) > Math.abs(e[arg])) {
                    arg = d;
                }
            }
            if (e[arg] < 0) {
                for (int d = 0; d < in; d++) {
                    e[d] = -e[d];
                }
            }
            comp[k] = e;
        }
        double z = 0;
        for (int t = 0; t < n; t++) {
            z += 1.0 / (t + 2);
        }
        float[] rows = new float[n * dims];
        for (int t = 0; t < n; t++) {
            for (int d = 0; d < in; d++) {
                c[d] = raw[t][d] - mean[d];
            }
            double p = (1.0 / (t + 2)) / z;
            double w = sif / (sif + p);
            for (int k = 0; k < dims; k++) {
                double s = 0;
                double[] e = comp[k];
                for (int d = 0; d < in; d++) {
                    s += c[d] * e[d];
                }
                rows[t * dims + k] = (float) (w * s);
            }
        }
        return new StaticEmbeddings(id, n, dims, rows);
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeUTF(id);
            out.writeInt(vocab);
            out.writeInt(dim);
            for (float x : rows) {
                out.writeFloat(x);
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static StaticEmbeddings read(Path file, String expectedId) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException("not a static embedding table (format " + FORMAT + ")");
            }
            String id = in.readUTF();
            if (!id.equals(expectedId)) {
                throw new IOException("table is " + id + ", expected " + expectedId);
            }
            int vocab = in.readInt();
            int dim = in.readInt();
            long need = (long) vocab * dim * 4;
            byte[] body = in.readAllBytes();
            if (vocab <= 0 || dim <= 0 || body.length != need) {
                throw new IOException("table body has " + body.length + " bytes, expected " + need + " (cut short?)");
            }
            float[] rows = new float[vocab * dim];
            ByteBuffer.wrap(body).asFloatBuffer().get(rows);
            return new StaticEmbeddings(id, vocab, dim, rows);
        }
    }

    /** A model's word-piece vocabulary, read from its tokenizer.json in the jar: size and the [CLS] / [SEP] ids. */
    record Vocabulary(int size, long cls, long sep) {
        static Vocabulary of(OnnxSentenceModel.Model source) {
            String name = source.resource() + "-tokenizer.json";
            try (InputStream in = StaticEmbeddings.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException(name + " is not on the classpath (" + source.artifact() + ")");
                }
                JsonNode vocab = Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8)).path("model").path("vocab");
                int max = -1;
                for (Iterator<JsonNode> it = vocab.elements(); it.hasNext(); ) {
                    max = Math.max(max, it.next().asInt());
                }
                Function<String, Long> idOf = tok -> {
                    JsonNode n = vocab.get(tok);
                    if (n == null) {
                        throw new IllegalStateException(name + " has no " + tok + " token");
                    }
                    return n.asLong();
                };
                return new Vocabulary(max + 1, idOf.apply("[CLS]"), idOf.apply("[SEP]"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the vocabulary of " + source.id(), e);
            }
        }
    }
}
