package dev.rlaif.cli.dlq;

import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.kafka.Clients;
import dev.rlaif.common.kafka.TopicReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Re-drives dead letters to the topic they came from, after the cause was fixed: the original key and value bytes,
 * to the partition the key hashes to (so per-key order holds among replayed records), with a
 * {@value #REPLAYED_FROM} header naming the dead letter. Acks=all, idempotent producer; it returns once every record
 * is acknowledged.
 *
 * <p>Replay does not remember what it replayed: running it twice sends the records twice. That is harmless where
 * the pipeline deduplicates (generations by generation id and response text in pairing, escalations by escalation id
 * in labeling, human labels by label id in the merger, preferences by pair id and label version in the trainer), and
 * doubles work elsewhere: a replayed pair is judged again (a second Judgment for the same pair id, paying the model
 * again, and the router routes it again). {@code --since} limits replay to letters written after the fix.
 */
public final class DeadLetterReplay {

    /** Header on a replayed record: the dead letter it came from ({@code topic-partition@offset}). */
    public static final String REPLAYED_FROM = "dlq.replayed-from";

    /** What a replay did (or, dry, would do). */
    public record Result(String dlqTopic, String target, int read, int selected, int skippedOlder,
                         int skippedOtherSource, int sent, List<DeadLetter> letters) {
    }

    private DeadLetterReplay() {
    }

    /**
     * @param topic  the source topic ({@code pairs}) or its DLQ ({@code pairs.dlq})
     * @param since  only letters dead-lettered at or after this time, or null for all
     * @param dryRun count and list, send nothing
     */
    public static Result run(KafkaSettings settings, String topic, Instant since, boolean dryRun) throws Exception {
        String dlq = DlqCommand.dlqTopic(topic);
        String target = dlq.substring(0, dlq.length() - ".dlq".length());
        List<DeadLetter> all = TopicReader.readRaw(settings, dlq).stream().map(DeadLetter::of).toList();
        List<DeadLetter> selected = new ArrayList<>();
        int older = 0;
        int other = 0;
        for (DeadLetter l : all) {
            if (!l.sourceTopic().equals(target)) {
                other++;
            } else if (since != null && l.time().isBefore(since)) {
                older++;
            } else {
                selected.add(l);
            }
        }
        int sent = 0;
        if (!dryRun && !selected.isEmpty()) {
            try (KafkaProducer<byte[], byte[]> producer = Clients.rawProducer(settings, "rlaif-dlq-replay")) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (DeadLetter l : selected) {
                    RecordHeaders h = new RecordHeaders();
                    h.add(REPLAYED_FROM, (l.dlqTopic() + "-" + l.partition() + "@" + l.offset()).getBytes(StandardCharsets.UTF_8));
                    acks.add(producer.send(new ProducerRecord<>(target, null, l.key(), l.value(), h)));
                }
                for (Future<RecordMetadata> f : acks) {
                    f.get(120, TimeUnit.SECONDS);
                    sent++;
                }
            }
        }
        return new Result(dlq, target, all.size(), selected.size(), older, other, sent, selected);
    }
}
