package dev.rlaif.cli.demo;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.TopicAdmin;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.service.RlaifService;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Looks at the running pipeline from the outside: consumer-group lag (is anything still unread?) and the records
 * of every topic (the demo's summary is counted from the topics themselves, never from services' own counters).
 */
public final class PipelineProbe implements AutoCloseable {

    private final KafkaSettings settings;
    private final Admin admin;
    private final org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer;

    public PipelineProbe(KafkaSettings settings) {
        this.settings = settings;
        this.admin = Admin.create(dev.rlaif.common.kafka.Clients.adminConfig(settings));
        Map<String, Object> config = new HashMap<>(dev.rlaif.common.kafka.Clients.consumerConfig(settings, "unused"));
        config.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    /** Total unread records of the given consumer groups (Streams application ids included). */
    long lag(List<String> groups) throws Exception {
        return lagByGroup(groups).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Unread records per consumer group that has any. */
    public Map<String, Long> lagByGroup(List<String> groups) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String group : groups) {
            long lag = 0;
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            if (committed.isEmpty()) {
                continue;
            }
            Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
            for (var e : committed.entrySet()) {
                long end = ends.get(e.getKey()).offset();
                long at = e.getValue() == null ? 0 : e.getValue().offset();
                if (end > at) {
                    lag += unread(e.getKey(), at, end);
                }
            }
            if (lag > 0) {
                out.put(group, lag);
            }
        }
        return out;
    }

    /**
     * Topic partitions (internal topics left out) whose last stable offset is behind their end, and by how many
     * offsets: records (and markers) that a transaction still open holds from every {@code read_committed} reader.
     * Consumer-group lag is counted up to the last stable offset, so a partition held for ever by a stuck
     * transaction shows here, not there.
     */
    public Map<String, Long> heldByOpenTransactions() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        TopicAdmin.allPartitions(admin, false, Duration.ofSeconds(10)).forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(10, TimeUnit.SECONDS);
        Map<String, Long> held = new java.util.TreeMap<>();
        for (TopicPartition tp : latest.keySet()) {
            long gap = ends.get(tp).offset() - stable.get(tp).offset();
            if (gap > 0) {
                held.put(tp.toString(), gap);
            }
        }
        return held;
    }

    /**
     * Records between a committed offset and the end: offsets alone overcount, because transactional producers
     * (every Streams service here) leave commit markers that take an offset but are no record. A consumer that
     * committed "last record + 1" stops before the marker, so the gap is read to count the real records in it.
     */
    private long unread(TopicPartition tp, long from, long end) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long count = 0;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (consumer.position(tp) < end && System.nanoTime() < deadline) {
            for (var r : consumer.poll(java.time.Duration.ofMillis(100))) {
                if (r.offset() < end) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Whether every service says it holds no hidden work. */
    static boolean allIdle(List<RlaifService> services) {
        return services.stream().allMatch(RlaifService::idle);
    }

    /**
     * Counts of every topic, the summary's numbers. Where a number means "how many X" it counts distinct keys, so
     * that a record delivered twice after a crash (at-least-once producers re-send what they had not committed)
     * is one X, and a run resumed after SIGKILL ends with the numbers of an uninterrupted one: generations by
     * generation id, pairs, judgments, AI labels and escalations by pair id, critiques by generation id, human labels
     * by (pair, annotator); {@code duplicate_human_labels} counts the records beyond that (0 is the guarantee).
     * {@code preference_versions}, {@code rationales} and {@code model_versions} are record counts.
     */
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("generations", TopicReader.readAll(settings, Topics.GENERATIONS).stream()
                .map(r -> r.value().getGenerationId()).distinct().count());
        s.put("feedback", TopicReader.readAll(settings, Topics.FEEDBACK).stream()
                .map(r -> r.value().getFeedbackId()).distinct().count());
        s.put("pairs", distinctKeys(Topics.PAIRS));
        s.put("judgments", distinctKeys(Topics.JUDGMENTS));
        s.put("critiques", distinctKeys(Topics.CRITIQUES));
        s.put("ai_labels", distinctKeys(Topics.AI_LABELS));
        List<ConsumerRecord<String, dev.rlaif.schema.EscalationRequest>> escalations = TopicReader.readAll(settings, Topics.ESCALATIONS);
        s.put("escalations", escalations.stream().map(ConsumerRecord::key).distinct().count());
        var humanLabels = TopicReader.readAll(settings, Topics.HUMAN_LABELS);
        long distinctHuman = humanLabels.stream().map(r -> r.value().getPairId() + "\u0000" + r.value().getAnnotatorId()).distinct().count();
        s.put("human_labels", distinctHuman);
        s.put("duplicate_human_labels", humanLabels.size() - distinctHuman);
        var preferences = TopicReader.readAll(settings, Topics.PREFERENCES);
        Set<String> preferred = preferences.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
        s.put("preferences", preferred.size());
        s.put("preference_versions", preferences.size());
        Set<String> open = new HashSet<>();
        for (var e : escalations) {
            if (!preferred.contains(e.key())) {
                open.add(e.key());
            }
        }
        s.put("open_escalations", open.size());
        s.put("rationales", count(Topics.RATIONALES));
        var versions = TopicReader.readAll(settings, Topics.MODEL_VERSIONS);
        s.put("model_versions", versions.size());
        s.put("version_accuracy", versionAccuracy(versions));
        long dlq = 0;
        for (Topic<?> t : Topics.ALL) {
            dlq += TopicReader.count(settings, t.dlq());
        }
        s.put("dlq", dlq);
        return s;
    }

    /**
     * Gold accuracy of each published version, as its trainer round (or the demo's bootstrap) measured it:
     * {@code {"v000001": {"accuracy": 0.61, "n_eval": 60}, ...}}; null accuracy where the gold set was empty.
     */
    static Map<String, Object> versionAccuracy(List<ConsumerRecord<String, dev.rlaif.schema.RewardModelVersion>> versions) {
        Map<String, Object> out = new java.util.TreeMap<>();
        for (var r : versions) {
            var v = r.value();
            if (v == null || !v.getPublished()) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            Double acc = v.getMetrics().get("accuracy");
            Double n = v.getMetrics().get("n_eval");
            m.put("accuracy", acc == null ? null : Math.round(acc * 1000) / 1000.0);
            m.put("n_eval", n == null ? 0 : n.longValue());
            m.put("n_train", v.getNTrain());
            out.put(v.getVersion(), m);
        }
        return out;
    }

    /** Cheap progress numbers: records per topic from offsets (transaction markers included, so approximate). */
    Map<String, Long> offsets(List<Topic<?>> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        var descriptions = admin.describeTopics(topics.stream().map(Topic::name).toList()).allTopicNames().get(10, TimeUnit.SECONDS);
        descriptions.forEach((name, d) -> d.partitions().forEach(p -> specs.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        var ends = admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Topic<?> t : topics) {
            out.put(t.name(), ends.entrySet().stream().filter(e -> e.getKey().topic().equals(t.name()))
                    .mapToLong(e -> e.getValue().offset()).sum());
        }
        return out;
    }

    private long distinctKeys(Topic<?> topic) {
        return TopicReader.readAll(settings, topic).stream().map(ConsumerRecord::key).distinct().count();
    }

    private long count(Topic<?> topic) {
        return TopicReader.readAll(settings, topic).size();
    }

    @Override
    public void close() {
        consumer.close();
        admin.close();
    }
}
