package dev.rlaif.rm.versions;

import dev.rlaif.rm.ModelManifest;
import dev.rlaif.rm.ModelStore;
import dev.rlaif.rm.RewardModel;
import dev.rlaif.schema.RewardModelVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reward model a reader (the judge's reward-model backend, the scorer) serves, switched on
 * {@code model-versions} events rather than by watching the directory.
 *
 * <p>The contract (README "Scaling out"): versions live in a models directory shared by the trainer and every
 * reader (a volume mounted into each; {@code RLAIF_MODELS_DIR}), one sub-directory per version id
 * ({@code v000042/manifest.json, weights.bin}). A published event names the version id, the path where the
 * trainer wrote it, and the directory's {@link VersionChecksum}. A reader looks for the version in its own models
 * directory first (mount points may differ between hosts), then at the event's path.
 *
 * <p>A version is served only when its directory exists, its manifest names that version and its checksum matches
 * the event's; anything else (missing, half-written, corrupt, unloadable) is refused: the current model stays, the
 * event is kept as pending and tried again on the next event or {@link #retryPending()} (the listener calls it on
 * a timer). Never a crash, never an older version over a newer one; unpublished candidates are ignored. At start
 * the version the directory's {@code CURRENT} pointer names is loaded, so a reader serves even when the topic no
 * longer holds the event that published it.
 */
public final class ModelReloader implements Supplier<Optional<RewardModel>> {

    /** Loads a version directory (the real one uses the store's shared encoder). */
    @FunctionalInterface
    public interface Loader {
        RewardModel load(Path versionDir) throws IOException;
    }

    /** What became of an offered version. */
    public enum Outcome {
        /** Now served. */
        LOADED,
        /** Not a candidate: unpublished, or not newer than what is served. */
        IGNORED,
        /** Refused for now (missing, checksum mismatch, unloadable): the old model stays, the event is pending. */
        REFUSED
    }

    private static final Logger log = LoggerFactory.getLogger(ModelReloader.class);
    private static final Pattern NUMBER = Pattern.compile("(\\d+)$");

    private final Path modelsDir;
    private final Loader loader;
    private volatile RewardModel active;
    private String activeVersion;
    private RewardModelVersion pending;
    private String lastRefusal;

    public ModelReloader(Path modelsDir, Loader loader) {
        this.modelsDir = modelsDir;
        this.loader = loader;
    }

    /** A reloader over a model store's directory, loading with its (shared) encoder. */
    public static ModelReloader of(ModelStore store) {
        return new ModelReloader(store.dir(), dir -> ModelStore.loadDir(dir, store.encoder()));
    }

    /** The served model; empty before the first version is loaded. */
    @Override
    public Optional<RewardModel> get() {
        return Optional.ofNullable(active);
    }

    /** The served version id, if any. */
    public synchronized Optional<String> version() {
        return Optional.ofNullable(activeVersion);
    }

    /** The version waiting to be loaded after a refusal, if any. */
    public synchronized Optional<String> pendingVersion() {
        return Optional.ofNullable(pending).map(RewardModelVersion::getVersion);
    }

    /** Loads what {@code CURRENT} names, if anything (start-up); a failure leaves nothing served and is logged. */
    public synchronized Outcome bootstrap() {
        String version;
        try {
            version = Files.readString(modelsDir.resolve(ModelStore.CURRENT), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            log.info("no published reward model in {} yet: waiting for model-versions", modelsDir.toAbsolutePath());
            return Outcome.IGNORED;
        }
        if (version.isEmpty() || !newer(version)) {
            return Outcome.IGNORED;
        }
        return tryLoad(version, modelsDir.resolve(version), null);
    }

    /** Offers a {@code model-versions} event. */
    public synchronized Outcome offer(RewardModelVersion event) {
        if (event == null || !event.getPublished() || event.getVersion() == null || !newer(event.getVersion())) {
            return Outcome.IGNORED;
        }
        if (pending != null && compare(pending.getVersion(), event.getVersion()) > 0) {
            return Outcome.IGNORED; // a newer one is already waiting
        }
        pending = event;
        return attempt();
    }

    /**
     * The timer's check: tries the pending version again, then looks at {@code CURRENT} for a newer version no event
     * announced (a trainer that died between publishing and announcing, an event lost to retention). The trainer
     * replaces CURRENT only after the version directory is complete, so such a version is served after the same
     * checks, without a checksum to compare.
     */
    public synchronized Outcome recheck() {
        Outcome o = pending == null ? Outcome.IGNORED : attempt();
        if (o == Outcome.LOADED) {
            return o;
        }
        String current;
        try {
            current = Files.readString(modelsDir.resolve(ModelStore.CURRENT), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return o;
        }
        if (current.isEmpty() || !newer(current) || (pending != null && compare(pending.getVersion(), current) >= 0)) {
            return o;
        }
        return tryLoad(current, modelsDir.resolve(current), null);
    }

    private Outcome attempt() {
        RewardModelVersion e = pending;
        if (!newer(e.getVersion())) {
            pending = null;
            return Outcome.IGNORED;
        }
        Path dir = modelsDir.resolve(e.getVersion());
        if (!Files.isDirectory(dir) && e.getPath() != null && !e.getPath().isBlank() && Files.isDirectory(Path.of(e.getPath()))) {
            dir = Path.of(e.getPath());
        }
        Outcome o = tryLoad(e.getVersion(), dir, e.getChecksum());
        if (o == Outcome.LOADED) {
            pending = null;
        }
        return o;
    }

    private Outcome tryLoad(String version, Path dir, String checksum) {
        String problem;
        try {
            problem = check(version, dir, checksum);
            if (problem == null) {
                RewardModel model = loader.load(dir);
                active = model; // the old model is not closed: a request may still be scoring with it
                activeVersion = version;
                lastRefusal = null;
                log.info("serving reward model {} from {}", version, dir.toAbsolutePath());
                return Outcome.LOADED;
            }
        } catch (IOException | RuntimeException ex) {
            problem = "cannot load: " + ex;
        }
        String line = version + ": " + problem;
        if (!line.equals(lastRefusal)) {
            log.warn("reward model {} refused ({}); keeping {}, will retry", version, problem,
                    activeVersion == null ? "none" : activeVersion);
        } else {
            log.debug("reward model {} still refused: {}", version, problem);
        }
        lastRefusal = line;
        return Outcome.REFUSED;
    }

    /** Why a directory must not be served, or null. */
    private static String check(String version, Path dir, String checksum) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "no directory " + dir.toAbsolutePath();
        }
        if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE))) {
            return "no " + ModelManifest.FILE + " in " + dir.toAbsolutePath();
        }
        ModelManifest manifest = ModelStore.readManifest(dir);
        if (!version.equals(manifest.version())) {
            return "manifest names version " + manifest.version();
        }
        if (checksum != null && !checksum.isBlank()) {
            String actual = VersionChecksum.of(dir);
            if (!actual.equals(checksum)) {
                return "checksum " + actual + " differs from the event's " + checksum + " (half-written or replaced)";
            }
        }
        return null;
    }

    private boolean newer(String version) {
        return activeVersion == null || compare(version, activeVersion) > 0;
    }

    /** Orders version ids by their trailing number ({@code v000010} after {@code v000009}), then as text. */
    static int compare(String a, String b) {
        Matcher ma = NUMBER.matcher(a);
        Matcher mb = NUMBER.matcher(b);
        if (ma.find() && mb.find()) {
            int c = new java.math.BigInteger(ma.group(1)).compareTo(new java.math.BigInteger(mb.group(1)));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }
}
