package dev.rlaif.rm.versions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The checksum a {@code RewardModelVersion} event carries: SHA-256 over a version directory's regular files in
 * name order, each contributing its relative name (UTF-8), a NUL, its length and its bytes. A reader that finds a
 * different checksum is looking at a half-written, half-copied or replaced directory and must not serve it.
 */
public final class VersionChecksum {

    private VersionChecksum() {
    }

    /** The checksum of a version directory (hex, lower case). */
    public static String of(Path versionDir) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(versionDir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        byte[] buffer = new byte[1 << 16];
        for (Path f : files) {
            sha.update(versionDir.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(Long.toString(Files.size(f)).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
