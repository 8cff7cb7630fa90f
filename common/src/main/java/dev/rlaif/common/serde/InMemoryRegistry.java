package dev.rlaif.common.serde;

import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;

import java.nio.charset.StandardCharsets;
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
 */
public final class InMemoryRegistry implements RegistryClientFacade {

    private static final InMemoryRegistry SHARED = new InMemoryRegistry();

    private record Version(long id, String groupId, String artifactId, String version, String content,
                           List<RegistryArtifactReference> references) {
        RegistryVersionCoordinates coordinates() {
            return RegistryVersionCoordinates.create(id, id, groupId, artifactId, version);
        }
    }

    private final AtomicLong ids = new AtomicLong();

    /** A fresh, empty registry (tests); the embedded mode uses {@link #shared()}. */
    public InMemoryRegistry() {
    }
    private final Map<Long, Version> byId = new ConcurrentHashMap<>();
    private final Map<String, List<Version>> byArtifact = new ConcurrentHashMap<>();

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

    private Version find(long id) {
        Version v = byId.get(id);
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
