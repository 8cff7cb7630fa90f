package dev.rlaif.common.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the pipeline's Kafka and schema registry are, and how its topics are laid out. Shared by every service.
 *
 * <table>
 * <tr><th>variable</th><th>meaning</th><th>default</th></tr>
 * <tr><td>RLAIF_BOOTSTRAP_SERVERS</td><td>Kafka bootstrap servers</td><td>localhost:9092</td></tr>
 * <tr><td>RLAIF_REGISTRY_URL</td><td>schema registry (Apicurio 3 API); unset = in-memory registry</td><td>unset</td></tr>
 * <tr><td>RLAIF_TOPIC_PARTITIONS</td><td>partitions of topics the system creates</td><td>3</td></tr>
 * <tr><td>RLAIF_REPLICATION_FACTOR</td><td>replication of topics the system creates</td><td>1</td></tr>
 * <tr><td>RLAIF_STATE_DIR</td><td>local state: Streams stores, label store, models</td><td>./.rlaif</td></tr>
 * </table>
 *
 * @param bootstrapServers  Kafka bootstrap servers
 * @param registryUrl       schema registry URL, or null for the in-memory registry
 * @param partitions        partitions per topic
 * @param replicationFactor replicas per partition
 * @param stateDir          root of local state
 */
public record KafkaSettings(String bootstrapServers, String registryUrl, int partitions, short replicationFactor,
                            Path stateDir) {

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("RLAIF_BOOTSTRAP_SERVERS must not be empty");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("RLAIF_TOPIC_PARTITIONS must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("RLAIF_REPLICATION_FACTOR must be at least 1, was " + replicationFactor);
        }
    }

    public static KafkaSettings fromEnv(Env env) {
        return new KafkaSettings(
                env.string("RLAIF_BOOTSTRAP_SERVERS", "localhost:9092"),
                env.get("RLAIF_REGISTRY_URL").orElse(null),
                env.integer("RLAIF_TOPIC_PARTITIONS", 3),
                (short) env.integer("RLAIF_REPLICATION_FACTOR", 1),
                env.path("RLAIF_STATE_DIR", Path.of(".rlaif")));
    }

    /** The same settings pointing at another broker. */
    public KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, registryUrl, partitions, replicationFactor, stateDir);
    }

    /** The same settings with another schema registry URL (null: the in-memory registry). */
    public KafkaSettings withRegistryUrl(String url) {
        return new KafkaSettings(bootstrapServers, url, partitions, replicationFactor, stateDir);
    }

    /** The same settings with another state directory. */
    public KafkaSettings withStateDir(Path dir) {
        return new KafkaSettings(bootstrapServers, registryUrl, partitions, replicationFactor, dir);
    }

    /** A line for the start-up log. */
    public Map<String, Object> describe() {
        return Map.of("bootstrap", bootstrapServers, "registry", registryUrl == null ? "in-memory" : registryUrl,
                "partitions", partitions, "replication", replicationFactor, "stateDir", stateDir.toAbsolutePath());
    }
}
