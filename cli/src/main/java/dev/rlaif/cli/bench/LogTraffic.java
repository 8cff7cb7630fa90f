package dev.rlaif.cli.bench;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a phase of {@code bench pipeline} made the broker append: the data records each topic gained (internal ones
 * included: changelogs, repartitions, consumer offsets, transaction state), counted by reading them back, and the
 * growth of all end offsets, which also counts the transaction markers. It turns "the pipeline writes more records
 * per pair than the floor" from a hand count into a measurement, and splits the ratio into what the design writes
 * and what each record costs.
 */
final class LogTraffic {

    /** End offsets of every partition of every topic, internal ones included. */
    record Snapshot(Map<TopicPartition, Long> ends) {
        long total() {
            return ends.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** What the log gained between two snapshots. */
    record Growth(Map<String, Long> recordsByTopic, Map<String, Long> bytesByTopic, long offsets, long purged) {
        long records() {
            return recordsByTopic.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Serialized key and value bytes of the data records (headers and batch framing left out). */
        long bytes() {
            return bytesByTopic.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Offsets that hold no data record: transaction markers (commit and abort). */
        long markers() {
            return offsets - records();
        }

        /** One line per topic, most records first, each per {@code unit} (e.g. per pair). */
        String perUnit(double units, String unit) {
            return recordsByTopic.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> String.format(Locale.ROOT, "  %-58s %6.2f records, %7.0f bytes per %s", e.getKey(),
                            e.getValue() / units, bytesByTopic.getOrDefault(e.getKey(), 0L) / units, unit))
                    .collect(Collectors.joining("\n"));
        }
    }

    private LogTraffic() {
    }

    static Snapshot snapshot(KafkaSettings settings) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            TopicAdmin.allPartitions(admin, true, Duration.ofSeconds(30)).forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, r) -> ends.put(tp, r.offset()));
            return new Snapshot(ends);
        }
    }

    /**
     * Reads, uncommitted included (an aborted record was appended too), every record appended between
     * {@code before} and {@code after}, and counts them per topic. Partitions created in between count from 0.
     * Records already deleted when they are read back (Kafka Streams purges the repartition records it has consumed
     * every 30 s) are counted by their offsets, without their bytes, and reported as {@code purged}.
     */
    static Growth between(KafkaSettings settings, Snapshot before, Snapshot after, Duration within) throws Exception {
        Map<TopicPartition, Long> from = new HashMap<>();
        after.ends().forEach((tp, end) -> {
            long start = before.ends().getOrDefault(tp, 0L);
            if (end > start) {
                from.put(tp, start);
            }
        });
        Map<String, Long> counts = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        long purged = 0;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            from.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
            var starts = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
            for (var e : starts.entrySet()) {
                TopicPartition tp = e.getKey();
                long logStart = Math.min(e.getValue().offset(), after.ends().get(tp));
                if (logStart > from.get(tp)) {
                    long gone = logStart - from.get(tp);
                    counts.merge(tp.topic(), gone, Long::sum);
                    purged += gone;
                    from.put(tp, logStart);
                }
            }
        }
        from.entrySet().removeIf(e -> e.getValue() >= after.ends().get(e.getKey()));
        Map<String, Object> c = new HashMap<>(Clients.consumerConfig(settings, "unused"));
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        c.put(ConsumerConfig.EXCLUDE_INTERNAL_TOPICS_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.copyOf(from.keySet()));
            from.forEach(consumer::seek);
            Map<TopicPartition, Long> open = new HashMap<>(from);
            long deadline = System.nanoTime() + within.toNanos();
            while (!open.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read back the phase's records within " + within + ": "
                            + open.size() + " partitions left, e.g. " + open.keySet().iterator().next());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < after.ends().get(new TopicPartition(r.topic(), r.partition()))) {
                        counts.merge(r.topic(), 1L, Long::sum);
                        bytes.merge(r.topic(), (long) Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize()), Long::sum);
                    }
                }
                open.keySet().removeIf(tp -> consumer.position(tp) >= after.ends().get(tp));
            }
        }
        return new Growth(counts, bytes, after.total() - before.total(), purged);
    }
}
