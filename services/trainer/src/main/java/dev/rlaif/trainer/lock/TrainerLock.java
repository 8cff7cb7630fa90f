package dev.rlaif.trainer.lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One trainer per models directory: an exclusive OS file lock on {@code <models>/.trainer.lock}, held for the
 * trainer's life and released by the OS when its process dies (SIGKILL included), so a restarted trainer never
 * finds a stale lock. A second trainer on the same directory (another process, or another service in this JVM)
 * does not start: {@link #acquire} fails with a message naming the holder, and the service exits non-zero. This is
 * what keeps two trainers from numbering versions alike and replacing each other's CURRENT.
 *
 * <p>The lock is as good as the file system's locks: local disks and NFSv4 honour them; a shared volume whose
 * driver ignores {@code fcntl} locks does not protect anything, and then one trainer must be ensured by the
 * deployment (a single replica, replaced with the Recreate strategy).
 */
public final class TrainerLock implements AutoCloseable {

    /** The lock file, inside the models directory. */
    public static final String FILE = ".trainer.lock";

    private static final Logger log = LoggerFactory.getLogger(TrainerLock.class);

    private final FileChannel channel;
    private final FileLock lock;

    private TrainerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code modelsDir}, or throws {@link IllegalStateException} naming the trainer that holds it.
     */
    public static TrainerLock acquire(Path modelsDir) {
        Path file = modelsDir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(modelsDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new IllegalStateException("another trainer holds " + file.toAbsolutePath() + " (" + holder
                        + "): one trainer per models directory; this one does not start");
            }
            String me = ManagementFactory.getRuntimeMXBean().getName() + " since " + Instant.now();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            log.info("trainer lock {} taken ({})", file.toAbsolutePath(), me);
            return new TrainerLock(channel, lock);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            throw new UncheckedIOException("cannot lock " + file.toAbsolutePath(), e);
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            int n = channel.read(b, 0);
            return n <= 0 ? "holder unknown" : "held by " + new String(b.array(), 0, n, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /** Whether the lock is still held. */
    public boolean held() {
        return lock.isValid();
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            log.warn("releasing the trainer lock failed: {}", e.toString());
        }
    }
}
