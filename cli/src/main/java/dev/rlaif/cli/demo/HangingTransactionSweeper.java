package dev.rlaif.cli.demo;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.HangingTransactions;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's own broker, kept free of hanging transactions. When the demo is SIGKILLed mid-transaction together with
 * its embedded broker, a restarted broker can hold a transaction that its coordinator no longer knows (seen on
 * {@code __consumer_offsets}: the router's offsets stayed pending and it waited on "unstable offsets" for ever).
 * Every {@link #PERIOD} this aborts the transactions {@link HangingTransactions} finds, once their producer has been
 * idle for {@link #MIN_IDLE}: longer than any transaction timeout of the services (Streams 10 s, the gateway's and
 * labeling's producers 60 s), so a transaction that can still end by itself is never touched.
 *
 * <p>Only the demo does this, on the broker it owns. Against a cluster of your own, {@code ./rlaif status} lists
 * hanging transactions and Kafka's {@code kafka-transactions.sh find-hanging} / {@code abort} end them.
 */
final class HangingTransactionSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HangingTransactionSweeper.class);

    static final Duration PERIOD = Duration.ofSeconds(20);
    static final Duration MIN_IDLE = Duration.ofMinutes(2);

    private final Admin admin;
    private final ScheduledExecutorService timer;

    private HangingTransactionSweeper(Admin admin) {
        this.admin = admin;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-hanging-transactions");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sweep, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    static HangingTransactionSweeper start(KafkaSettings settings) {
        return new HangingTransactionSweeper(Admin.create(Clients.adminConfig(settings)));
    }

    /** Each abort is logged (WARN, on the demo's console) by {@link HangingTransactions#abortAll}. */
    private void sweep() {
        try {
            HangingTransactions.abortAll(admin, MIN_IDLE, Duration.ofSeconds(15));
        } catch (RuntimeException e) {
            log.debug("hanging-transaction sweep skipped: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
