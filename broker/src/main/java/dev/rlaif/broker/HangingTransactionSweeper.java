package dev.rlaif.broker;

import dev.rlaif.common.kafka.HangingTransactions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An embedded broker kept free of hanging transactions (the demo's, and {@code ./rlaif broker}'s). When a broker is
 * SIGKILLed in the middle of its clients' transactions (the demo's kill takes its broker with it), the restarted
 * broker can hold a transaction that its coordinator no longer knows (seen on {@code __consumer_offsets}: the demo's
 * router's offsets stayed pending and it waited on "unstable offsets" for ever).
 * Every {@link #PERIOD} this ends the transactions {@link HangingTransactions} finds, once their producer has been
 * idle for {@link #MIN_IDLE} (longer than any transaction timeout of the services: Streams 10 s, the gateway's and
 * labeling's producers 60 s) and two sweeps in a row found the same transaction hanging, so a transaction that can
 * still end by itself is never touched: with the commit marker when its coordinator had committed it (a broker
 * SIGKILLed mid-commit leaves such partitions: see {@link HangingTransactions#committedByCoordinator}), by an abort
 * otherwise.
 *
 * <p>Only the brokers this project starts do this. Against a cluster of your own, {@code ./rlaif status} lists
 * hanging transactions and Kafka's {@code kafka-transactions.sh find-hanging} / {@code abort} end them.
 */
public final class HangingTransactionSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HangingTransactionSweeper.class);

    static final Duration PERIOD = Duration.ofSeconds(20);
    static final Duration MIN_IDLE = Duration.ofMinutes(2);

    private final Admin admin;
    private final ScheduledExecutorService timer;
    /** What the previous sweep found hanging (only the timer's thread touches these). */
    private List<HangingTransactions.Hanging> suspects = List.of();
    private boolean failing;

    private HangingTransactionSweeper(Admin admin) {
        this.admin = admin;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-hanging-transactions");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sweep, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sweeps the broker at {@code bootstrapServers} every {@link #PERIOD} until closed. */
    public static HangingTransactionSweeper start(String bootstrapServers) {
        return new HangingTransactionSweeper(Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)));
    }

    /**
     * Ends what this sweep and the one before both found hanging ({@link HangingTransactions#endConfirmed}: the commit
     * marker where its coordinator had committed it, an abort otherwise); each is logged (WARN, on the demo's
     * console). A sweep that cannot ask the broker is logged once, not every period, until one succeeds again.
     */
    private void sweep() {
        try {
            suspects = HangingTransactions.endConfirmed(admin, suspects, MIN_IDLE, Duration.ofSeconds(15));
            failing = false;
        } catch (RuntimeException e) {
            suspects = List.of();
            if (!failing) {
                log.warn("hanging-transaction sweep skipped (the next ones are tried, and logged once they succeed): {}", e.toString());
            }
            failing = true;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
