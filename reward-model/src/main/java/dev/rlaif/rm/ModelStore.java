package dev.rlaif.rm;

import dev.rlaif.common.io.TempDirs;
import dev.rlaif.common.json.Json;
import dev.rlaif.rm.encode.EmbeddingCache;
import dev.rlaif.rm.encode.MiniLmEncoder;
import dev.rlaif.rm.encode.TextEncoder;
import dev.rlaif.rm.encode.TextEncoders;
import dev.rlaif.rm.feature.FeatureExtractor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The models directory: every reward-model version the trainer wrote, and which one is published. The trainer
 * writes through it, and the trainer, the scorer and the judge's reward-model backend load through it, so all of
 * them read versions the same way.
 *
 * <p>Layout: {@code <dir>/v000001/{manifest.json, weights.bin}}, ..., {@code <dir>/CURRENT} (the published
 * version's id), {@code <dir>/cache/} (the embedding cache). A version directory is written under a temporary
 * name and renamed into place, and CURRENT is replaced by an atomic rename, so a reader sees either the old or
 * the new version, never a partial one.
 *
 * <p>{@link #current()} is cheap: it compares CURRENT's modification time (and, when it changed, its content) with
 * the loaded version and reloads only when a newer one was published. The text encoder is loaded on first need
 * and shared by all versions.
 */
public final class ModelStore implements AutoCloseable {

    public static final String CURRENT = "CURRENT";
    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);
    private static final Pattern VERSION = Pattern.compile("v(\\d{6,})");

    private final Path dir;
    private final Supplier<TextEncoder> encoderFactory;
    /** With {@link #open(Path)}: each version is read with the encoder its manifest names (null: the fixed one). */
    private final java.util.function.Function<String, TextEncoder> encoderById;
    private final java.util.Map<String, TextEncoder> encodersById = new java.util.HashMap<>();
    private TextEncoder encoder;
    private volatile Loaded loaded;
    private volatile Object failedStamp;

    private record Loaded(Object stamp, String version, RewardModel model) {
    }

    private ModelStore(Path dir, Supplier<TextEncoder> encoderFactory, java.util.function.Function<String, TextEncoder> encoderById) {
        this.dir = dir;
        this.encoderFactory = encoderFactory;
        this.encoderById = encoderById;
    }

    /**
     * The store at {@code modelsDir} (created if missing) for readers that do not choose an encoder (the judge's
     * reward-model backend, the demo): each version is loaded with the encoder its manifest names
     * ({@link TextEncoders#nameOfId}), cached under {@code cache/}; {@link #encoder()} is the MiniLM default.
     */
    public static ModelStore open(Path modelsDir) {
        create(modelsDir);
        Path cache = modelsDir.resolve("cache");
        return new ModelStore(modelsDir, () -> EmbeddingCache.open(new MiniLmEncoder(), cache),
                id -> TextEncoders.open(TextEncoders.nameOfId(id), cache));
    }

    /** The store with one encoder for every version (the trainer's and the scorer's configured one; tests' cheap one). */
    public static ModelStore open(Path modelsDir, Supplier<TextEncoder> encoderFactory) {
        create(modelsDir);
        return new ModelStore(modelsDir, encoderFactory, null);
    }

    private static void create(Path modelsDir) {
        try {
            Files.createDirectories(modelsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create models directory " + modelsDir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The shared encoder (loaded on first call). */
    public synchronized TextEncoder encoder() {
        if (encoder == null) {
            encoder = encoderFactory.get();
        }
        return encoder;
    }

    /** The published version, loaded; a newer published version replaces it on the next call. Empty before the first. */
    public Optional<RewardModel> current() {
        Path pointer = dir.resolve(CURRENT);
        Object stamp;
        try {
            // CURRENT is replaced by rename, so its file key (inode) changes with every publish
            var attrs = Files.readAttributes(pointer, java.nio.file.attribute.BasicFileAttributes.class);
            stamp = java.util.Arrays.asList(attrs.fileKey(), attrs.lastModifiedTime(), attrs.size());
        } catch (IOException e) {
            return Optional.ofNullable(loaded).map(Loaded::model);
        }
        Loaded l = loaded;
        if (l != null && l.stamp().equals(stamp)) {
            return Optional.of(l.model());
        }
        if (stamp.equals(failedStamp)) {
            return Optional.ofNullable(l).map(Loaded::model);
        }
        synchronized (this) {
            l = loaded;
            if (l != null && l.stamp().equals(stamp)) {
                return Optional.of(l.model());
            }
            try {
                String version = Files.readString(pointer, StandardCharsets.UTF_8).trim();
                if (l != null && l.version().equals(version)) {
                    loaded = new Loaded(stamp, version, l.model());
                    return Optional.of(l.model());
                }
                RewardModel model = load(version);
                loaded = new Loaded(stamp, version, model);
                LOG.info("Loaded reward model {} from {}", version, dir);
                return Optional.of(model);
            } catch (IOException | RuntimeException e) {
                failedStamp = stamp;
                LOG.warn("Cannot load the published reward model in {} (keeping {}): {}", dir,
                        l == null ? "none" : l.version(), e.toString());
                return Optional.ofNullable(l).map(Loaded::model);
            }
        }
    }

    /** The published version id, if any, without loading it. */
    public Optional<String> currentVersion() {
        try {
            return Optional.of(Files.readString(dir.resolve(CURRENT), StandardCharsets.UTF_8).trim()).filter(s -> !s.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Loads a version by id. */
    public MlpRewardModel load(String version) throws IOException {
        if (encoderById == null) {
            return loadDir(dir.resolve(version), encoder());
        }
        // the encoder the manifest names: the default one if it is already loaded and matches, else one opened by id
        // (so a reader of BGE versions never loads MiniLM, and the manifest is read once)
        Path versionDir = dir.resolve(version);
        ModelManifest manifest = readManifest(versionDir);
        String id = manifest.features().encoderId();
        TextEncoder e;
        synchronized (this) {
            e = encoder != null && encoder.id().equals(id) ? encoder : encodersById.computeIfAbsent(id, encoderById);
        }
        return load(versionDir, manifest, e);
    }

    /** Loads a version directory with the given encoder (which must be the one named in its manifest). */
    public static MlpRewardModel loadDir(Path versionDir, TextEncoder encoder) throws IOException {
        return load(versionDir, readManifest(versionDir), encoder);
    }

    private static MlpRewardModel load(Path versionDir, ModelManifest manifest, TextEncoder encoder) throws IOException {
        EnsembleWeights weights = EnsembleWeights.read(versionDir.resolve(EnsembleWeights.FILE));
        return new MlpRewardModel(manifest, weights, new FeatureExtractor(encoder, manifest.features()));
    }

    public static ModelManifest readManifest(Path versionDir) throws IOException {
        return Json.MAPPER.readValue(versionDir.resolve(ModelManifest.FILE).toFile(), ModelManifest.class);
    }

    /** The manifest of a version, if that version exists. */
    public Optional<ModelManifest> manifest(String version) {
        try {
            return Optional.of(readManifest(dir.resolve(version)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Ids of every complete version directory, oldest first. */
    public List<String> versions() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> VERSION.matcher(n).matches())
                    .filter(n -> Files.exists(dir.resolve(n).resolve(ModelManifest.FILE)))
                    .sorted(Comparator.comparingLong(ModelStore::number)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next free version id. */
    public synchronized String nextVersion() {
        List<String> all = versions();
        long last = all.isEmpty() ? 0 : number(all.get(all.size() - 1));
        return String.format("v%06d", last + 1);
    }

    private static long number(String version) {
        var m = VERSION.matcher(version);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Writes a version directory atomically (temporary directory, then rename). It is not served until
     * {@link #publish(String)}.
     */
    public synchronized Path write(ModelManifest manifest, EnsembleWeights weights) throws IOException {
        Path target = dir.resolve(manifest.version());
        if (Files.exists(target)) {
            throw new IOException("version " + manifest.version() + " already exists in " + dir);
        }
        Path tmp = Files.createTempDirectory(dir, ".tmp-" + manifest.version() + "-");
        try {
            weights.write(tmp.resolve(EnsembleWeights.FILE));
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(ModelManifest.FILE).toFile(), manifest);
            moveAtomically(tmp, target);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        return target;
    }

    /** Makes a written version the one {@link #current()} serves (atomic replacement of CURRENT). */
    public synchronized void publish(String version) throws IOException {
        if (!Files.exists(dir.resolve(version).resolve(ModelManifest.FILE))) {
            throw new IOException("no version " + version + " in " + dir);
        }
        Path tmp = Files.createTempFile(dir, ".CURRENT-", ".tmp");
        Files.writeString(tmp, version + "\n", StandardCharsets.UTF_8);
        moveAtomically(tmp, dir.resolve(CURRENT));
    }

    /** Deletes all versions but the newest {@code keep} and the published one. */
    public synchronized void prune(int keep) {
        List<String> all = versions();
        String published = currentVersion().orElse("");
        for (int i = 0; i < all.size() - keep; i++) {
            if (!all.get(i).equals(published)) {
                deleteQuietly(dir.resolve(all.get(i)));
            }
        }
    }

    /** The newest version written, published or not (a restarted trainer resumes from its offsets). */
    public Optional<ModelManifest> latestManifest() {
        List<String> all = versions();
        return all.isEmpty() ? Optional.empty() : manifest(all.get(all.size() - 1));
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            TempDirs.deleteTree(p);
        } catch (UncheckedIOException ignored) {
            // best effort
        }
    }

    @Override
    public synchronized void close() {
        List<TextEncoder> all = new java.util.ArrayList<>(encodersById.values());
        all.add(encoder);
        for (TextEncoder e : all) {
            if (e instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ex) {
                    LOG.warn("Closing the encoder failed: {}", ex.toString());
                }
            }
        }
        encodersById.clear();
        encoder = null;
    }
}
