package dev.rlaif.common.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

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
 * <tr><td>RLAIF_KAFKA_&lt;PROPERTY&gt;</td><td>any Kafka client property, applied to every producer, consumer, admin
 *     and Streams client: the name after {@code RLAIF_KAFKA_}, lower-cased, {@code _} as {@code .}; e.g.
 *     RLAIF_KAFKA_SECURITY_PROTOCOL=SASL_SSL, RLAIF_KAFKA_SASL_MECHANISM=SCRAM-SHA-512,
 *     RLAIF_KAFKA_SASL_JAAS_CONFIG=..., RLAIF_KAFKA_SSL_TRUSTSTORE_LOCATION=/etc/kafka/ca.p12,
 *     RLAIF_KAFKA_SSL_TRUSTSTORE_PASSWORD=..., RLAIF_KAFKA_MAX_REQUEST_SIZE=4194304</td><td>none</td></tr>
 * </table>
 *
 * @param bootstrapServers  Kafka bootstrap servers
 * @param registryUrl       schema registry URL, or null for the in-memory registry
 * @param partitions        partitions per topic
 * @param replicationFactor replicas per partition
 * @param stateDir          root of local state
 * @param clientProperties  Kafka client properties passed through to every client (TLS, SASL, limits); secrets
 *                          among them are redacted in {@link #describe()}
 */
public record KafkaSettings(String bootstrapServers, String registryUrl, int partitions, short replicationFactor,
                            Path stateDir, Map<String, String> clientProperties) {

    /** The prefix of the pass-through variables. */
    public static final String CLIENT_PREFIX = "RLAIF_KAFKA_";

    /** Settings without pass-through client properties. */
    public KafkaSettings(String bootstrapServers, String registryUrl, int partitions, short replicationFactor,
                         Path stateDir) {
        this(bootstrapServers, registryUrl, partitions, replicationFactor, stateDir, Map.of());
    }

    public KafkaSettings {
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
        if (clientProperties.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("set RLAIF_BOOTSTRAP_SERVERS, not RLAIF_KAFKA_BOOTSTRAP_SERVERS");
        }
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
                env.path("RLAIF_STATE_DIR", Path.of(".rlaif")),
                clientProperties(env));
    }

    /**
     * The Kafka client properties named by {@code RLAIF_KAFKA_<PROPERTY>} variables: {@code RLAIF_KAFKA_SASL_JAAS_CONFIG}
     * becomes {@code sasl.jaas.config}. Empty values are ignored.
     */
    public static Map<String, String> clientProperties(Env env) {
        Map<String, String> out = new TreeMap<>();
        env.values().forEach((name, value) -> {
            if (name.startsWith(CLIENT_PREFIX) && name.length() > CLIENT_PREFIX.length() && value != null && !value.isBlank()) {
                out.put(name.substring(CLIENT_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
        });
        return out;
    }

    /** True for a client property whose value must never be logged (passwords, keys, JAAS configuration). */
    public static boolean isSecretProperty(String property) {
        String p = property.toLowerCase(Locale.ROOT);
        return p.contains("password") || p.contains("jaas") || p.contains("secret") || p.contains("token")
                || p.endsWith(".key") || p.contains("key.password") || p.contains("keystore.key")
                || p.contains("credentials");
    }

    /** The same settings pointing at another broker. */
    public KafkaSettings withBootstrapServers(String servers) {
        return new KafkaSettings(servers, registryUrl, partitions, replicationFactor, stateDir, clientProperties);
    }

    /** The same settings with another schema registry URL (null: the in-memory registry). */
    public KafkaSettings withRegistryUrl(String url) {
        return new KafkaSettings(bootstrapServers, url, partitions, replicationFactor, stateDir);
    }

    /** The same settings with another state directory. */
    public KafkaSettings withStateDir(Path dir) {
        return new KafkaSettings(bootstrapServers, registryUrl, partitions, replicationFactor, dir, clientProperties);
    }

    /** The same settings with these pass-through client properties. */
    public KafkaSettings withClientProperties(Map<String, String> properties) {
        return new KafkaSettings(bootstrapServers, registryUrl, partitions, replicationFactor, stateDir, properties);
    }

    /** The pass-through client properties, secrets replaced by {@code ******}. */
    public Map<String, String> redactedClientProperties() {
        Map<String, String> out = new TreeMap<>();
        clientProperties.forEach((k, v) -> out.put(k, isSecretProperty(k) ? "******" : v));
        return out;
    }

    /** A line for the start-up log; secrets among the client properties are redacted. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bootstrap", bootstrapServers);
        m.put("registry", registryUrl == null ? "in-memory" : registryUrl);
        m.put("partitions", partitions);
        m.put("replication", replicationFactor);
        m.put("stateDir", stateDir.toAbsolutePath());
        if (!clientProperties.isEmpty()) {
            m.put("client", redactedClientProperties());
        }
        return m;
    }
}
