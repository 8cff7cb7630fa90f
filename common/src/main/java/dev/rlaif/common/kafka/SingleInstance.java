package dev.rlaif.common.kafka;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Makes a role single across the cluster, wherever its instances run: every instance joins the consumer group
 * {@code rlaif-singleton-<role>} on the one-partition topic {@value #TOPIC} (which carries no records), and the
 * member that holds the partition is the active one. The sticky cooperative assignor leaves the partition with its
 * holder when another instance joins, so a second instance never deposes the first: it is told it is not active
 * ({@link #awaitActive} returns false) and its service refuses to start. When the holder leaves (or dies, after
 * the session timeout of 10 s) the partition passes on, so a restarted instance becomes active once the dead one's
 * session has expired.
 *
 * <p>Losing the partition while active (the member was cut off from the broker for longer than the session) is
 * fatal for the service: the {@code onLost} callback runs once, and the service stops doing the single work.
 */
public final class SingleInstance implements AutoCloseable {

    /** The lease topic: one partition, no records. Not a pipeline topic, so it is not in the catalog. */
    public static final String TOPIC = "rlaif-singletons";

    private static final Logger log = LoggerFactory.getLogger(SingleInstance.class);

    private final KafkaSettings kafka;
    private final String role;
    private final Runnable onLost;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean active;
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    /**
     * @param role   what must stay single ({@code labeling}, ...); the group is {@code rlaif-singleton-<role>}
     * @param onLost runs (once, on the guard's thread) if the role is lost while active
     */
    public SingleInstance(KafkaSettings kafka, String role, Runnable onLost) {
        this.kafka = kafka;
        this.role = role;
        this.onLost = onLost;
    }

    /** The group that holds the lease. */
    public String groupId() {
        return "rlaif-singleton-" + role;
    }

    /** {@code RLAIF_SINGLETON_WAIT}: how long a starting instance waits for the lease (default 30 s: a crashed holder's session is 10 s). */
    public static Duration waitFromEnv(Env env) {
        Duration d = env.duration("RLAIF_SINGLETON_WAIT", Duration.ofSeconds(30));
        if (d.isNegative()) {
            throw new IllegalArgumentException("RLAIF_SINGLETON_WAIT must not be negative, was " + d);
        }
        return d;
    }

    /** Joins the group; {@link #awaitActive} says whether this instance got the lease. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        createTopic();
        Map<String, Object> config = new HashMap<>(Clients.consumerConfig(kafka, groupId()));
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId());
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, groupId());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Waits until this instance holds the lease, at most {@code timeout}; false if another instance holds it all
     * that time.
     */
    public boolean awaitActive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        assigned.await(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        while (!active && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return active;
    }

    /** Whether this instance holds the lease now. */
    public boolean active() {
        return active;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty() && !active) {
                        active = true;
                        log.info("{}: this instance is the active one", role);
                    }
                    assigned.countDown();
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    lose(partitions, "revoked");
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    lose(partitions, "lost");
                }
            });
            while (running) {
                consumer.poll(Duration.ofMillis(200));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("{}: single-instance guard failed", role, e);
            lose(List.of(new TopicPartition(TOPIC, 0)), "failed");
        }
    }

    private void lose(Collection<TopicPartition> partitions, String how) {
        if (partitions.isEmpty() || !active) {
            return;
        }
        active = false;
        if (running) {
            log.error("{}: the single-instance lease was {}; another instance may take over: stopping this one's work", role, how);
            onLost.run();
        }
    }

    private void createTopic() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, kafka.replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact")))).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + TOPIC, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create " + TOPIC + ": broker not reachable", e);
        }
    }

    /** Leaves the group, so a standby becomes active at once. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        if (t == null) {
            return;
        }
        consumer.wakeup();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(10));
        active = false;
    }
}
