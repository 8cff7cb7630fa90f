package dev.rlaif.cli.demo;

import dev.rlaif.cli.run.ConnectionOptions;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.HangingTransactions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./rlaif status}: the demo's summary for any cluster, counted from the topics by the same
 * {@link PipelineProbe} the demo uses, plus the unread records of every consumer group at this moment
 * ({@code lag}, counted up to each partition's last stable offset; {@code lag_by_group} names the groups that still have
 * some), the offsets of each topic partition that an open transaction still holds from every reader
 * ({@code in_open_transactions}: its end less its last stable offset; {@code drained} is both empty),
 * and the partitions held by a hanging transaction ({@code hanging_transactions}: open on a partition, its producer
 * idle for {@code --hanging-after}, its coordinator holding it open no more; every {@code read_committed} reader of
 * such a partition, and a group whose offset commit it holds, waits for ever: end it with Kafka's
 * {@code kafka-transactions.sh abort}).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print the pipeline's summary (records per topic, read from the topics) as one JSON line.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--hanging-after", defaultValue = "PT15M",
            description = "a transaction open this long with its producer idle, and not open at its coordinator, is reported as hanging "
                    + "(default ${DEFAULT-VALUE}: Kafka's transaction.max.timeout.ms)")
    Duration hangingAfter;

    @Override
    public Integer call() throws Exception {
        KafkaSettings settings = KafkaSettings.fromEnv(connection.env());
        Map<String, Object> out;
        try (PipelineProbe probe = new PipelineProbe(settings)) {
            out = new LinkedHashMap<>(probe.summary());
            Map<String, Long> lag = probe.lagByGroup(groups(settings));
            long total = lag.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Long> held = probe.heldByOpenTransactions();
            out.put("lag", total);
            out.put("drained", total == 0 && held.isEmpty());
            Map<String, Long> lagging = new java.util.TreeMap<>();
            lag.forEach((group, n) -> {
                if (n > 0) {
                    lagging.put(group, n);
                }
            });
            out.put("lag_by_group", lagging);
            out.put("in_open_transactions", held);
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            out.put("hanging_transactions", HangingTransactions.find(admin, hangingAfter, Duration.ofSeconds(30)).stream()
                    .map(HangingTransactions.Hanging::toString).toList());
        } catch (RuntimeException e) {
            out.put("hanging_transactions", "unknown: " + e.getMessage());
        }
        System.out.println(Json.write(Map.of("summary", out)));
        return 0;
    }

    private static List<String> groups(KafkaSettings settings) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            return admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream().map(ConsumerGroupListing::groupId).sorted().toList();
        }
    }
}
