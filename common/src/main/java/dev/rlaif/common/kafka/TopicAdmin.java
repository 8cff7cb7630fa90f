package dev.rlaif.common.kafka;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/** Creates the catalog's topics and their dead-letter topics; topics that already exist are left as they are. */
public final class TopicAdmin {

    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    /** Creates every topic of {@link Topics#ALL} with its {@code .dlq}. */
    public static void createAll(KafkaSettings settings) {
        create(settings, Topics.ALL);
    }

    public static void create(KafkaSettings settings, List<Topic<?>> topics) {
        try (Admin admin = Admin.create(Clients.adminConfig(settings))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> wanted = new ArrayList<>();
            for (Topic<?> t : topics) {
                if (!existing.contains(t.name())) {
                    wanted.add(new NewTopic(t.name(), settings.partitions(), settings.replicationFactor())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, t.cleanupPolicy())));
                }
                if (!existing.contains(t.dlq())) {
                    wanted.add(new NewTopic(t.dlq(), 1, settings.replicationFactor()));
                }
            }
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
            if (!wanted.isEmpty()) {
                log.info("created {} topics", wanted.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not list topics at " + settings.bootstrapServers(), e.getCause());
        }
    }
}
