package dev.rlaif.common.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.rlaif.common.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The on-disk half of a durable {@link InMemoryRegistry}: one JSON line per registered schema version, appended and
 * fsynced before the registry hands the id out, so no record can carry an id the journal does not hold. A line cut
 * short by a crash was never acknowledged (its id reached no record): it is dropped when the journal is opened.
 * The file is locked for as long as it is open: one process owns a journal and registers schemas. Another process
 * that opens it meanwhile gets a read-only view (e.g. {@code ./rlaif status} beside a running demo): it resolves ids
 * and re-reads the file when it meets an id it does not know yet, but cannot register; services in separate
 * processes share a registry server instead.
 */
final class SchemaJournal implements AutoCloseable {

    /** One registered schema version. */
    record Entry(long id, String groupId, String artifactId, String version, String content,
                 List<Map<String, String>> references) {
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final List<Entry> entries;

    private SchemaJournal(Path file, FileChannel channel, FileLock lock, List<Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.entries = entries;
    }

    /** Opens (or creates) a journal, reads its entries and drops a torn last line. */
    static SchemaJournal open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return new SchemaJournal(file, null, null, read(file));
            }
            byte[] bytes = Files.readAllBytes(file);
            int end = completeLines(bytes);
            if (end < bytes.length) {
                channel.truncate(end);
                channel.force(true);
            }
            channel.position(end);
            return new SchemaJournal(file, channel, lock, parse(file, bytes, end));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open schema journal " + file, e);
        }
    }

    /** Whether another process owns the journal, so this one only reads it. */
    boolean readOnly() {
        return lock == null;
    }

    /** The journal's complete entries as they are on disk now (a read-only view's refresh). */
    List<Entry> reread() {
        try {
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema journal " + file, e);
        }
    }

    private static List<Entry> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return parse(file, bytes, completeLines(bytes));
    }

    private static int completeLines(byte[] bytes) {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        return end;
    }

    private static List<Entry> parse(Path file, byte[] bytes, int end) {
        List<Entry> entries = new ArrayList<>();
        int lineNo = 0;
        for (String line : new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(Json.MAPPER.readValue(line, new TypeReference<Entry>() { }));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("schema journal " + file + " line " + lineNo + " is corrupt: " + e.getOriginalMessage(), e);
            }
        }
        return List.copyOf(entries);
    }

    /** The entries found when the journal was opened, in order. */
    List<Entry> entries() {
        return entries;
    }

    /** Appends an entry and forces it to disk before returning. */
    synchronized void append(Entry entry) {
        if (readOnly()) {
            throw new IllegalStateException("schema journal " + file + " is owned by another process: this one can read ids but "
                    + "not register schemas; services in separate processes share a registry server (RLAIF_REGISTRY_URL=http...)");
        }
        try {
            ByteBuffer line = ByteBuffer.wrap((Json.write(entry) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to schema journal " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (readOnly()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
