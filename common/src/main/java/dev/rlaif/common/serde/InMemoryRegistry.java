package dev.rlaif.common.serde;

import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A schema registry held in memory, for the embedded mode and tests: the Apicurio serde talks to it through the
 * same {@link RegistryClientFacade} it uses for a real registry, so records carry real schema ids in the
 * Confluent wire format. One instance per JVM ({@link #shared()}) so that every service of the embedded mode
 * resolves the ids the others wrote. Global id and content id are the same number.
 *
 * <p>A durable one ({@link #durable(Path)}, {@code RLAIF_REGISTRY_URL=file:...}) also writes every new version to a
 * {@link SchemaJournal} and fsyncs it before handing out the id, and reads the journal back at start: the ids in
 * the topics, changelogs and stores of a process that was killed keep their meaning when it starts again. It
 * serves one process (the journal is locked); separate processes share a registry server.
 */
public final class InMemoryRegistry implements RegistryClientFacade {

    private static final InMemoryRegistry SHARED = new InMemoryRegistry();
    private static final Map<Path, InMemoryRegistry> DURABLE = new ConcurrentHashMap<>();

    private record Version(long id, String groupId, String artifactId, String version, String content,
                           List<RegistryArtifactReference> references) {
        RegistryVersionCoordinates coordinates() {
            return RegistryVersionCoordinates.create(id, id, groupId, artifactId, version);
        }
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Version> byId = new ConcurrentHashMap<>();
    private final Map<String, List<Version>> byArtifact = new ConcurrentHashMap<>();
    private final SchemaJournal journal;

    /** A fresh, empty registry (tests); the embedded mode uses {@link #shared()}. */
    public InMemoryRegistry() {
        this.journal = null;
    }

    private InMemoryRegistry(SchemaJournal journal) {
        this.journal = journal;
        load(journal.entries());
    }

    private synchronized void load(List<SchemaJournal.Entry> entries) {
        for (SchemaJournal.Entry e : entries) {
            if (byId.containsKey(e.id())) {
                continue;
            }
            List<RegistryArtifactReference> refs = e.references() == null ? List.of() : e.references().stream()
                    .map(r -> RegistryArtifactReference.builder().name(r.get("name")).groupId(r.get("groupId"))
                            .artifactId(r.get("artifactId")).version(r.get("version")).build()).toList();
            Version v = new Version(e.id(), e.groupId(), e.artifactId(), e.version(), e.content(), refs);
            List<Version> versions = byArtifact.computeIfAbsent(key(v.groupId(), v.artifactId()), k -> new ArrayList<>());
            synchronized (versions) {
                versions.add(v);
            }
            byId.put(v.id(), v);
            ids.accumulateAndGet(v.id(), Math::max);
        }
    }

    /**
     * The JVM-wide durable registry kept in {@code journal} (created if missing). If another process owns that
     * journal, a read-only view of it: ids resolve, registering a new schema fails.
     */
    public static InMemoryRegistry durable(Path journal) {
        return DURABLE.computeIfAbsent(journal.toAbsolutePath().normalize(), InMemoryRegistry::open);
    }

    /** A new durable registry on a journal, not shared (tests); close it with {@link #closeJournal()}. */
    static InMemoryRegistry open(Path journal) {
        return new InMemoryRegistry(SchemaJournal.open(journal));
    }

    /** Releases the journal of a registry made by {@link #open(Path)}. */
    void closeJournal() {
        if (journal != null) {
            journal.close();
        }
    }

    /** The JVM-wide registry of the embedded mode. */
    public static InMemoryRegistry shared() {
        return SHARED;
    }

    @Override
    public String getSchemaByContentId(Long contentId) {
        return find(contentId).content();
    }

    @Override
    public String getSchemaByGlobalId(long globalId, boolean dereferenced) {
        return find(globalId).content();
    }

    @Override
    public String getSchemaByGAV(String groupId, String artifactId, String version) {
        return findGav(groupId, artifactId, version).content();
    }

    @Override
    public String getSchemaByContentHash(String contentHash) {
        return byId.values().stream().filter(v -> sha256(v.content()).equals(contentHash)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no schema with content hash " + contentHash)).content();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
        return find(contentId).references();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
        return find(globalId).references();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGAV(String groupId, String artifactId, String version) {
        return findGav(groupId, artifactId, version).references();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
        return byId.values().stream().filter(v -> sha256(v.content()).equals(contentHash)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no schema with content hash " + contentHash)).references();
    }

    @Override
    public List<RegistryVersionCoordinates> searchVersionsByContent(String schema, String artifactType,
                                                                    ArtifactReference reference, boolean canonical) {
        List<Version> versions = byArtifact.getOrDefault(key(reference.getGroupId(), reference.getArtifactId()), List.of());
        synchronized (versions) {
            return versions.stream().filter(v -> v.content().equals(schema)).map(Version::coordinates).toList();
        }
    }

    @Override
    public RegistryVersionCoordinates createSchema(String artifactType, String groupId, String artifactId, String version,
                                                   String autoCreateBehavior, boolean canonical, String schema,
                                                   Set<RegistryArtifactReference> references) {
        refreshIfReadOnly();
        List<Version> versions = byArtifact.computeIfAbsent(key(groupId, artifactId), k -> new ArrayList<>());
        synchronized (versions) {
            for (Version v : versions) {
                if (v.content().equals(schema) && v.references().equals(references == null ? List.of() : List.copyOf(references))) {
                    return v.coordinates();
                }
            }
            long id = ids.incrementAndGet();
            Version created = new Version(id, groupId == null ? "default" : groupId, artifactId,
                    version != null ? version : String.valueOf(versions.size() + 1), schema,
                    references == null ? List.of() : List.copyOf(references));
            if (journal != null) {
                // on disk before the id reaches any record
                journal.append(new SchemaJournal.Entry(created.id(), created.groupId(), created.artifactId(), created.version(),
                        created.content(), created.references().stream().map(InMemoryRegistry::referenceMap).toList()));
            }
            versions.add(created);
            byId.put(id, created);
            return created.coordinates();
        }
    }

    @Override
    public RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
        return findGav(groupId, artifactId, version).coordinates();
    }

    @Override
    public Object getClient() {
        return this;
    }

    /** Number of schema versions registered so far. */
    public int size() {
        return byId.size();
    }

    private void refreshIfReadOnly() {
        if (journal != null && journal.readOnly()) {
            load(journal.reread());
        }
    }

    private Version find(long id) {
        Version v = byId.get(id);
        if (v == null) {
            refreshIfReadOnly();
            v = byId.get(id);
        }
        if (v == null) {
            throw new IllegalArgumentException("no schema with id " + id + " in the in-memory registry");
        }
        return v;
    }

    private Version findGav(String groupId, String artifactId, String version) {
        List<Version> versions = byArtifact.getOrDefault(key(groupId, artifactId), List.of());
        synchronized (versions) {
            if (versions.isEmpty()) {
                throw new IllegalArgumentException("no artifact " + groupId + "/" + artifactId);
            }
            if (version == null || version.startsWith("branch=")) {
                return versions.get(versions.size() - 1);
            }
            return versions.stream().filter(v -> v.version().equals(version)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no version " + version + " of " + artifactId));
        }
    }

    private static Map<String, String> referenceMap(RegistryArtifactReference r) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("name", r.getName());
        m.put("groupId", r.getGroupId());
        m.put("artifactId", r.getArtifactId());
        m.put("version", r.getVersion());
        return m;
    }

    private static String key(String groupId, String artifactId) {
        return (groupId == null ? "default" : groupId) + "/" + artifactId;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
