package dev.rlaif.common.config;

import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.StreamsApps;
import dev.rlaif.common.serde.AvroSerdes;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RLAIF_KAFKA_* reach every producer, consumer, admin and Streams client, and secrets never reach a log line. */
class KafkaClientPassThroughTest {

    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"rlaif\" password=\"hunter2\";";

    static final Env ENV = new Env(Map.of(
            "RLAIF_BOOTSTRAP_SERVERS", "kafka:9093",
            "RLAIF_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "RLAIF_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
            "RLAIF_KAFKA_SASL_JAAS_CONFIG", JAAS,
            "RLAIF_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
            "RLAIF_KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit",
            "RLAIF_KAFKA_MAX_REQUEST_SIZE", "4194304",
            "RLAIF_KAFKA_EMPTY", " ",
            "RLAIF_GATEWAY_PORT", "8080"));

    @Test
    void variablesBecomeClientProperties() {
        KafkaSettings s = KafkaSettings.fromEnv(ENV);
        assertThat(s.clientProperties()).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", JAAS),
                Map.entry("ssl.truststore.location", "/etc/kafka/ca.p12"),
                Map.entry("ssl.truststore.password", "changeit"),
                Map.entry("max.request.size", "4194304"));
    }

    @Test
    void everyClientGetsThem() {
        KafkaSettings s = KafkaSettings.fromEnv(ENV);
        for (Map<String, Object> c : java.util.List.of(Clients.producerConfig(s, "p"), Clients.consumerConfig(s, "g"),
                Clients.adminConfig(s))) {
            assertThat(c).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.jaas.config", JAAS)
                    .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12").containsEntry("bootstrap.servers", "kafka:9093");
        }
        Properties streams = StreamsApps.properties(s, "app");
        assertThat(streams).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.password", "changeit");
        assertThat(Clients.producerConfig(s, "p")).containsEntry("acks", "all");
    }

    @Test
    void theRecordLimitFollowsMaxRequestSize() {
        assertThat(Clients.maxRequestBytes(KafkaSettings.fromEnv(ENV))).isEqualTo(4_194_304);
        assertThat(AvroSerdes.from(KafkaSettings.fromEnv(ENV)).maxValueBytes()).isEqualTo(4_194_304 - AvroSerdes.HEADROOM_BYTES);
        assertThat(Clients.maxRequestBytes(KafkaSettings.fromEnv(new Env(Map.of())))).isEqualTo(1024 * 1024);
    }

    @Test
    void secretsAreRedactedInDescribe() {
        String line = KafkaSettings.fromEnv(ENV).describe().toString();
        assertThat(line).contains("SASL_SSL").contains("/etc/kafka/ca.p12")
                .doesNotContain("hunter2").doesNotContain("changeit").contains("******");
    }

    @Test
    void bootstrapServersHasItsOwnVariable() {
        assertThatThrownBy(() -> KafkaSettings.fromEnv(new Env(Map.of("RLAIF_KAFKA_BOOTSTRAP_SERVERS", "x:1"))))
                .hasMessageContaining("RLAIF_BOOTSTRAP_SERVERS");
    }
}
