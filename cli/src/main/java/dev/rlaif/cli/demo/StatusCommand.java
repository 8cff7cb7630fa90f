package dev.rlaif.cli.demo;

import dev.rlaif.cli.run.ConnectionOptions;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./rlaif status}: the demo's summary for any cluster, counted from the topics by the same
 * {@link PipelineProbe} the demo uses, plus the unread records of every consumer group at this moment
 * ({@code lag}; {@code drained} is {@code lag == 0}; {@code lag_by_group} names the groups that still have some).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print the pipeline's summary (records per topic, read from the topics) as one JSON line.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConnectionOptions connection;

    @Override
    public Integer call() throws Exception {
        KafkaSettings settings = KafkaSettings.fromEnv(connection.env());
        Map<String, Object> out;
        try (PipelineProbe probe = new PipelineProbe(settings)) {
            out = new LinkedHashMap<>(probe.summary());
            Map<String, Long> lag = probe.lagByGroup(groups(settings));
            long total = lag.values().stream().mapToLong(Long::longValue).sum();
            out.put("lag", total);
            out.put("drained", total == 0);
            Map<String, Long> lagging = new java.util.TreeMap<>();
            lag.forEach((group, n) -> {
                if (n > 0) {
                    lagging.put(group, n);
                }
            });
            out.put("lag_by_group", lagging);
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
