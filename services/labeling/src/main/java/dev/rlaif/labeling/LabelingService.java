package dev.rlaif.labeling;

import dev.rlaif.common.http.OpsRoutes;
import dev.rlaif.common.kafka.SingleInstance;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.service.ServiceContext;
import dev.rlaif.common.sim.GoldOracle;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.labeling.api.LabelingApi;
import dev.rlaif.labeling.gold.GoldConfig;
import dev.rlaif.labeling.gold.GoldItem;
import dev.rlaif.labeling.gold.GoldPolicy;
import dev.rlaif.labeling.gold.GoldSet;
import dev.rlaif.schema.EscalationReason;
import dev.rlaif.labeling.auth.Account;
import dev.rlaif.labeling.auth.Accounts;
import dev.rlaif.common.service.Health;
import dev.rlaif.labeling.queue.EscalationConsumer;
import dev.rlaif.labeling.queue.LabelPublisher;
import dev.rlaif.labeling.queue.LabelQueue;
import dev.rlaif.labeling.sim.SimulatedAnnotators;
import dev.rlaif.labeling.store.StoredLabel;
import dev.rlaif.labeling.store.TaskDatabase;
import dev.rlaif.labeling.ui.WebPages;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The human labeling service: consumes {@code escalations} into a durable task queue (H2 on disk), serves the
 * labeling page and REST API, and produces every accepted label to {@code human-labels} before answering. In the
 * demo it may also run {@link SimulatedAnnotators} (SIMULATION ONLY) against its own API.
 *
 * <p>{@link #idle()}: false while a label is stored but not yet acknowledged by Kafka, and, when simulated
 * annotators run, while an open task that they will label exists (one with a gold label, due within the idle
 * horizon). Tasks that only real people will label (no gold, or no simulation) do not keep the service busy: they
 * wait in the queue, and the demo counts them as open escalations.
 */
public final class LabelingService implements RlaifService {

    private static final Logger log = LoggerFactory.getLogger(LabelingService.class);
    public static final String GROUP_ID = "labeling";

    private final ServiceContext context;
    private final LabelingConfig config;
    private final Clock clock;
    private final Accounts accounts;
    private final Map<String, CompletableFuture<Void>> publishing = new ConcurrentHashMap<>();

    private TaskDatabase db;
    private LabelQueue queue;
    private LabelPublisher publisher;
    private volatile EscalationConsumer consumer;
    private dev.rlaif.common.metrics.TopicMetrics topicMetrics;
    private Javalin http;
    private SimulatedAnnotators sims;
    private GoldOracle oracle;
    private ScheduledExecutorService retry;
    private SingleInstance guard;
    private volatile boolean leaseLost;
    private boolean consumerStopped;

    public LabelingService(ServiceContext context) {
        this(context, LabelingConfig.fromEnv(context.env(), context.kafka().stateDir()), Clock.systemUTC());
    }

    public LabelingService(ServiceContext context, LabelingConfig config, Clock clock) {
        this.context = context;
        this.config = config;
        this.clock = clock;
        this.accounts = new Accounts(config.accounts());
    }

    @Override
    public String name() {
        return "labeling";
    }

    @Override
    public void start() throws Exception {
        log.info("starting labeling with {}", config.describe());
        if (config.accounts().isEmpty()) {
            log.warn("no annotators configured (RLAIF_LABELING_ANNOTATORS): nobody can sign in to label");
        }
        guard = new SingleInstance(context.kafka(), "labeling", this::leaseLost);
        guard.start();
        if (!guard.awaitActive(SingleInstance.waitFromEnv(context.env()))) {
            guard.close();
            guard = null;
            throw new IllegalStateException("another labeling instance is active (consumer group "
                    + "rlaif-singleton-labeling holds the lease): the task store is one embedded database, so labeling "
                    + "runs as a single instance; this one does not start");
        }
        GoldPolicy gold = goldPolicy();
        db = TaskDatabase.open(config.dbDir());
        queue = new LabelQueue(db, config.leaseTimeout(), config::labelsWanted, gold);
        publisher = new LabelPublisher(context.kafka(), queue, db, "labeling-human-labels");
        int resent = publisher.recover();
        if (resent > 0) {
            log.info("re-sent {} labels stored before the last stop but not acknowledged", resent);
        }
        consumer = new EscalationConsumer(context.kafka(), GROUP_ID, queue, db, e -> context.fatal("labeling", e));
        consumer.start();

        LabelingApi api = new LabelingApi(config, accounts, queue, this::publishOnce, clock, context.metrics());
        WebPages pages = new WebPages();
        Gauge.builder("labeling.open.tasks", queue, LabelQueue::openCount).register(context.metrics());
        Gauge.builder("labeling.unpublished.labels", queue, LabelQueue::unpublishedCount).register(context.metrics());
        Gauge.builder("rlaif_labeling_queue_depth", queue, LabelQueue::openCount)
                .description("escalations waiting for labels").register(context.metrics());
        for (EscalationReason reason : EscalationReason.values()) {
            Gauge.builder("rlaif_labeling_queue_depth_by_reason", queue, q -> q.openCount(reason))
                    .tag("reason", reason.name()).description("escalations waiting for labels, by escalation reason")
                    .register(context.metrics());
        }
        topicMetrics = new dev.rlaif.common.metrics.TopicMetrics(name(), context.metrics());
        consumer.bind(topicMetrics);
        publisher.bind(topicMetrics);
        http = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            OpsRoutes.add(cfg, context.metrics(), this::healthDocument);
            api.routes(cfg);
            pages.routes(cfg);
            // the live pipeline dashboard of ./rlaif demo and ./rlaif up, linked from the admin page
            String dashboard = context.env().string("RLAIF_DASHBOARD_URL", "");
            cfg.routes.get("/dashboard", ctx -> {
                if (dashboard.isBlank()) {
                    ctx.status(404).result("no dashboard in this deployment (RLAIF_DASHBOARD_URL is not set)");
                } else {
                    ctx.redirect(dashboard);
                }
            });
        }).start();

        retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "labeling-outbox");
            t.setDaemon(true);
            return t;
        });
        retry.scheduleWithFixedDelay(this::retryUnpublished, 2, 2, TimeUnit.SECONDS);
        retry.scheduleWithFixedDelay(this::flushPublished, 100, 100, TimeUnit.MILLISECONDS);

        oracle = context.attribute(GoldOracle.ATTRIBUTE, GoldOracle.class).orElse(null);
        if (config.simAnnotators() > 0 && oracle != null) {
            sims = new SimulatedAnnotators(localUrl(), accounts, queue, oracle, config.simAnnotators(),
                    Math.max(config.simAnnotators(), config.maxOverlap()), config.simErrorRate());
            sims.start();
        } else if (config.simAnnotators() > 0) {
            log.info("RLAIF_SIM_ANNOTATORS={} but no gold oracle in this JVM: no simulated annotators", config.simAnnotators());
        }
        log.info("labeling serving at {}", baseUrl());
    }

    /**
     * Gold items to serve, from {@code RLAIF_LABELING_GOLD_RATE} and {@code RLAIF_LABELING_GOLD_DATA}; null when off.
     * A gold item only stands in for a task that would show no judge suggestion (it has no judgment to show).
     */
    private GoldPolicy goldPolicy() {
        GoldConfig gold = GoldConfig.fromEnv(context.env());
        log.info("labeling gold items: {}", gold.describe());
        if (!gold.enabled()) {
            return null;
        }
        List<GoldItem> items = GoldSet.load(gold.data());
        log.info("serving {} gold items at rate {}", items.size(), gold.rate());
        return new GoldPolicy(items, gold.rate(), new SecureRandom(),
                r -> !config.showSuggestions() || r.getReason() == EscalationReason.AUDIT || r.getJudgment() == null);
    }

    /**
     * The lease passed to another instance while this one was active (cut off from the broker for longer than the
     * session): fatal for the service. It reports DOWN at once and stops taking escalations; labels already stored
     * are still published, so nothing is lost. This runs on the lease guard's thread, so the consumer is not closed
     * here: the stop is handed to the service's own executor and goes through {@link #stopConsuming()}, the same
     * path {@link #close()} takes (whichever comes first stops it, the other finds it stopped).
     */
    void leaseLost() {
        leaseLost = true;
        ScheduledExecutorService executor = retry;
        try {
            if (executor != null) {
                executor.execute(this::stopConsuming);
                return;
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing already: close() stops the consumer
            return;
        }
        Thread t = new Thread(this::stopConsuming, "labeling-lease-lost");
        t.setDaemon(true);
        t.start();
    }

    /** Whether escalations are still being consumed (false once stopped by a lost lease or close). */
    synchronized boolean consuming() {
        return consumer != null && !consumerStopped;
    }

    /**
     * Stops consuming escalations, once: on a lost lease and at close. A second caller waits until the first one's
     * stop has finished, so close() never closes the store under a consumer still stopping.
     */
    private synchronized void stopConsuming() {
        if (consumer == null || consumerStopped) {
            return;
        }
        consumerStopped = true;
        consumer.close();
        log.info("labeling stopped consuming escalations");
    }

    /** Publishes a stored label once even when the same label is submitted twice at the same moment. */
    /** Publishes a stored label to human-labels (acks=all) exactly as a submit over HTTP does (the benchmark's floor). */
    public void publish(StoredLabel label) {
        publishOnce(label);
    }

    private void publishOnce(StoredLabel label) {
        while (!queue.isPublished(label.labelId())) {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> other = publishing.putIfAbsent(label.labelId(), mine);
            if (other != null) {
                try {
                    other.get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                continue;
            }
            try {
                if (!queue.isPublished(label.labelId())) {
                    publisher.publish(label, Duration.ofSeconds(30));
                }
                mine.complete(null);
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                publishing.remove(label.labelId(), mine);
            }
        }
    }

    private void retryUnpublished() {
        try {
            for (StoredLabel l : queue.unpublished()) {
                if (!publishing.containsKey(l.labelId()) && clock.millis() - l.createdAt() > 5_000) {
                    publishOnce(l);
                }
            }
        } catch (RuntimeException e) {
            log.warn("re-sending unacknowledged labels failed, will retry: {}", e.toString());
        }
    }

    private void flushPublished() {
        try {
            queue.flushPublished();
        } catch (RuntimeException e) {
            log.warn("recording published labels failed, will retry: {}", e.toString());
        }
    }

    @Override
    public Health serviceHealth() {
        if (leaseLost) {
            return Health.down("single-instance lease lost: another labeling instance may be active");
        }
        return consumer == null ? Health.UP : consumer.health();
    }

    private Map<String, Object> healthDocument() {
        Map<String, Object> h = new LinkedHashMap<>();
        Health health = serviceHealth();
        h.put("status", health.status());
        if (!health.up()) {
            h.put("detail", health.detail());
        }
        h.put("open_tasks", queue.openCount());
        h.put("unpublished_labels", queue.unpublishedCount());
        h.put("simulated_annotators", sims != null);
        return h;
    }

    /** The port the HTTP server listens on. */
    public int port() {
        return http.port();
    }

    /** The base URL people use. */
    public String baseUrl() {
        return config.publicUrl() != null ? config.publicUrl().replaceAll("/+$", "") : localUrl();
    }

    private String localUrl() {
        return "http://localhost:" + http.port();
    }

    /** The queue (tests and the benchmark look inside). */
    public LabelQueue queue() {
        return queue;
    }

    /** The accounts (the benchmark registers its annotators). */
    public Accounts accounts() {
        return accounts;
    }

    @Override
    public Map<String, String> endpoints() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("ui", baseUrl() + "/");
        e.put("admin", baseUrl() + "/admin");
        e.put("api", baseUrl() + "/api");
        config.demoAccount().ifPresent(a -> e.put("demo-login", "annotator: " + a.id() + " / token: " + a.secret()));
        return e;
    }

    @Override
    public List<String> consumerGroups() {
        return List.of(GROUP_ID);
    }

    @Override
    public boolean idle() {
        if (queue == null) {
            return true;
        }
        if (!publishing.isEmpty() || queue.unpublishedCount() > 0) {
            return false;
        }
        if (sims == null) {
            return true;
        }
        Instant horizon = clock.instant().plus(config.idleHorizon());
        return !queue.anyOpen(horizon, r -> oracle.gold(r.getPair()).isPresent());
    }

    @Override
    public void close() {
        if (sims != null) {
            sims.close();
        }
        if (http != null) {
            http.stop();
        }
        if (retry != null) {
            retry.shutdownNow();
            try {
                retry.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (queue != null) {
            flushPublished();
        }
        if (topicMetrics != null) {
            topicMetrics.close();
        }
        stopConsuming();
        if (publisher != null) {
            publisher.close();
        }
        if (db != null) {
            db.close();
        }
        if (guard != null) {
            guard.close();
        }
        log.info("labeling stopped");
    }

    /** For the start-up banner of tests: which account is the demo's. */
    public java.util.Optional<Account> demoAccount() {
        return config.demoAccount();
    }
}
