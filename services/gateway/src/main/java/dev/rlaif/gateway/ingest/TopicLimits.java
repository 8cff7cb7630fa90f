package dev.rlaif.gateway.ingest;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/** Reads the largest message the broker takes on some topics ({@code max.message.bytes}). */
public final class TopicLimits {

    private static final Logger log = LoggerFactory.getLogger(TopicLimits.class);

    private TopicLimits() {
    }

    /** The smallest {@code max.message.bytes} of the topics, or empty when the broker cannot say (it is down). */
    public static OptionalInt maxMessageBytes(KafkaSettings settings, List<String> topics) {
        try (Admin admin = Admin.create(Clients.adminConfig(settings))) {
            List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(15, TimeUnit.SECONDS);
            return configs.values().stream().map(c -> c.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG))
                    .filter(e -> e != null && e.value() != null).mapToInt(e -> Integer.parseInt(e.value())).min();
        } catch (Exception e) {
            log.warn("cannot read max.message.bytes of {}: {}", topics, e.toString());
            return OptionalInt.empty();
        }
    }
}
