package dev.rlaif.common.kafka;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the catalog's topics and their dead-letter topics; topics that already exist are left as they are. Returns
 * only when every partition of every topic asked for is served by its leader ({@link #awaitServed}), because an
 * idempotent producer can silently lose records sent to a partition its leader does not serve yet (KAFKA-15591, below).
 */
public final class TopicAdmin {

    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);

    /** How long {@link #awaitServed} waits for a topic to appear in a broker's metadata. */
    private static final Duration SERVED_TIMEOUT = Duration.ofSeconds(60);

    private TopicAdmin() {
    }

    /** Creates every topic of {@link Topics#ALL} with its {@code .dlq}. */
    public static void createAll(KafkaSettings settings) {
        create(settings, Topics.ALL);
    }

    /**
     * Waits until each partition of {@code topics} is served by its leader: a ListOffsets request, which the leader
     * answers from the same partition state a produce request needs, succeeds on every partition (the admin client
     * retries {@code NOT_LEADER_OR_FOLLOWER} and {@code UNKNOWN_TOPIC_OR_PARTITION} within its API timeout).
     *
     * <p>Why: a freshly created partition can be in the producer's metadata before its leader has applied it. A
     * produce request that arrives then fails with {@code NOT_LEADER_OR_FOLLOWER}; if the producer's next request
     * to that partition lands after the leader has applied it, the broker, holding no state for the producer there,
     * accepts it whatever its first sequence, and every retry of the first request then fails with
     * {@code OUT_OF_ORDER_SEQUENCE_NUMBER} until {@code delivery.timeout.ms} drops its records: a silent loss despite
     * idempotence and {@code acks=all} (KAFKA-15591; the broker-side fix ships in Kafka 4.5). Seen here as a test
     * that produced at once after creating its topics and lost one partition's records.
     */
    public static void awaitServed(Admin admin, Collection<String> topics) throws InterruptedException, ExecutionException {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        long deadline = System.nanoTime() + SERVED_TIMEOUT.toNanos();
        while (true) {
            try {
                for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
                    for (var p : d.partitions()) {
                        partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                    }
                }
                break;
            } catch (ExecutionException e) {
                // a topic just created may not be in this broker's metadata yet
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        admin.listOffsets(partitions).all().get();
    }

    /**
     * Every partition of every topic in the cluster, Kafka's internal topics ({@code __consumer_offsets},
     * {@code __transaction_state}) included or not.
     */
    public static List<TopicPartition> allPartitions(Admin admin, boolean internal, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(internal)).names()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).values()
                .forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
        return partitions;
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
            List<String> names = new ArrayList<>();
            for (Topic<?> t : topics) {
                names.add(t.name());
                names.add(t.dlq());
            }
            awaitServed(admin, names);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not list topics, or see them served, at " + settings.bootstrapServers(), e.getCause());
        }
    }
}
