package dev.rlaif.schema;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the current records as a released set: {@code java -cp ... dev.rlaif.schema.ReleaseSchemas 0.2.0 schemas/src/test/resources/released}.
 * Run it when cutting a release, then point {@code SchemaCompatibilityTest.LAST_RELEASE} at it.
 */
public final class ReleaseSchemas {

    private ReleaseSchemas() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1], args[0]);
        Files.createDirectories(dir);
        for (var e : SchemaCompatibilityTest.current().entrySet()) {
            Files.writeString(dir.resolve(e.getKey() + ".avsc"), e.getValue().toString(true) + "\n");
        }
        System.out.println("wrote " + SchemaCompatibilityTest.current().size() + " schemas to " + dir);
    }
}
