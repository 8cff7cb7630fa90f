package dev.rlaif.common.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the shared data folder ({@code shared/data}, beside the checkout): {@code RLAIF_DATA_DIR} when set, else
 * the first {@code shared/data} found walking up from the working directory (tests run in module folders).
 */
public final class SharedData {

    private SharedData() {
    }

    public static Optional<Path> dir() {
        String env = System.getenv("RLAIF_DATA_DIR");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isDirectory);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A file under the shared data folder, e.g. {@code resolve("hh-rlhf-harmless/pairs.jsonl.gz")}. */
    public static Path resolve(String relative) {
        return dir().map(d -> d.resolve(relative)).filter(Files::exists).orElseThrow(() ->
                new IllegalStateException("shared data file " + relative + " not found: set RLAIF_DATA_DIR or keep shared/ beside the checkout"));
    }
}
