package dev.rlaif.cli.dlq;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlaif.cli.run.ConnectionOptions;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.serde.AvroSerdes;
import dev.rlaif.common.topic.Topic;
import dev.rlaif.common.topic.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./rlaif dlq inspect|replay}: the operator's view of the dead-letter topics, and re-driving after a fix. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Inspect dead-letter topics and replay them.",
        subcommands = {DlqCommand.Inspect.class, DlqCommand.Replay.class})
public final class DlqCommand {

    /** {@code pairs} or {@code pairs.dlq} → {@code pairs.dlq}. */
    static String dlqTopic(String topic) {
        return topic.endsWith(Topic.DLQ_SUFFIX) ? topic : topic + Topic.DLQ_SUFFIX;
    }

    /** An instant ({@code 2026-11-30T08:00:00Z}) or an age ({@code 90m}, {@code 2h}, {@code 1d}, ISO {@code PT1H}). */
    static Instant parseSince(String s, Instant now) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException notAnInstant) {
            String t = s.trim().toLowerCase();
            try {
                if (t.startsWith("p")) {
                    return now.minus(Duration.parse(t.toUpperCase()));
                }
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 's' -> now.minusSeconds(n);
                    case 'm' -> now.minus(Duration.ofMinutes(n));
                    case 'h' -> now.minus(Duration.ofHours(n));
                    case 'd' -> now.minus(Duration.ofDays(n));
                    default -> throw new IllegalArgumentException();
                };
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--since: '" + s + "' is neither an instant (2026-11-30T08:00:00Z) "
                        + "nor an age (30s, 90m, 2h, 1d, PT1H)");
            }
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Counts per reason and service, and the latest dead letters with source, time and a preview.")
    static final class Inspect implements Callable<Integer> {

        @Parameters(arity = "0..1", paramLabel = "TOPIC", description = "a topic or its .dlq (default: every topic of the catalog)")
        String topic;

        @Option(names = "--limit", defaultValue = "10", description = "latest records shown per topic (default ${DEFAULT-VALUE})")
        int limit;

        @Option(names = "--json", description = "one JSON object instead of text")
        boolean json;

        @Mixin
        ConnectionOptions connection;

        @Override
        public Integer call() throws Exception {
            KafkaSettings settings = KafkaSettings.fromEnv(connection.env());
            List<String> topics = new ArrayList<>();
            if (topic != null) {
                topics.add(dlqTopic(topic));
            } else {
                Topics.ALL.forEach(t -> topics.add(t.dlq()));
            }
            inspect(settings, topics, limit, json, System.out);
            return 0;
        }
    }

    /** Prints the report of each DLQ topic (text, or one JSON object). */
    static void inspect(KafkaSettings settings, List<String> dlqTopics, int limit, boolean json, PrintStream out) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        AvroSerdes serdes = AvroSerdes.from(settings);
        for (String dlq : dlqTopics) {
            List<DeadLetter> letters;
            try {
                letters = TopicReader.readRaw(settings, dlq).stream().map(DeadLetter::of).toList();
            } catch (RuntimeException e) {
                letters = List.of(); // the topic does not exist: nothing was dead-lettered there
            }
            if (topic(dlq) == null && letters.isEmpty() && !json) {
                continue;
            }
            Map<String, Long> reasons = DeadLetterReport.byReason(letters);
            List<DeadLetter> latest = DeadLetterReport.latest(letters, limit);
            if (json) {
                ObjectNode t = root.putObject(dlq);
                t.put("count", letters.size());
                reasons.forEach(t.putObject("by_reason")::put);
                DeadLetterReport.byService(letters).forEach(t.putObject("by_service")::put);
                ArrayNode items = t.putArray("latest");
                for (DeadLetter l : latest) {
                    ObjectNode i = items.addObject();
                    i.put("time", l.time().toString());
                    i.put("service", l.service());
                    i.put("source", l.source());
                    i.put("reason", l.reason());
                    i.put("key", l.keyText());
                    i.put("dlq_offset", l.partition() + "@" + l.offset());
                    i.put("preview", DeadLetterReport.preview(l.value(), decode(serdes, l)));
                }
                continue;
            }
            out.printf("%s: %d record%s%n", dlq, letters.size(), letters.size() == 1 ? "" : "s");
            if (letters.isEmpty()) {
                continue;
            }
            out.println("  by reason:");
            reasons.forEach((r, n) -> out.printf("    %5d  %s%n", n, r));
            out.println("  by service: " + DeadLetterReport.byService(letters));
            out.printf("  latest %d:%n", latest.size());
            for (DeadLetter l : latest) {
                out.printf("    %s  %s  from %s  key=%s%n      reason: %s%n      value:  %s%n", l.time(), l.service(),
                        l.source(), l.keyText(), l.reason(), DeadLetterReport.preview(l.value(), decode(serdes, l)));
            }
        }
        if (json) {
            out.println(root);
        }
    }

    private static Topic<?> topic(String dlq) {
        return Topics.ALL.stream().filter(t -> t.dlq().equals(dlq)).findFirst().orElse(null);
    }

    /** The value decoded with the source topic's serde, as JSON text; null when it does not decode. */
    private static String decode(AvroSerdes serdes, DeadLetter l) {
        if (l.value() == null || topic(l.dlqTopic()) == null) {
            return null;
        }
        try {
            Deserializer<SpecificRecord> d = serdes.deserializer();
            return String.valueOf(d.deserialize(l.sourceTopic(), l.value()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = "Re-send dead letters to their source topic (original key and value) after a fix.")
    static final class Replay implements Callable<Integer> {

        @Parameters(paramLabel = "TOPIC", description = "the source topic or its .dlq, e.g. pairs")
        String topic;

        @Option(names = "--since", description = "only letters dead-lettered at or after: an instant (2026-11-30T08:00:00Z) or an age (30m, 2h, 1d)")
        String since;

        @Option(names = "--dry-run", description = "list what would be replayed, send nothing")
        boolean dryRun;

        @Mixin
        ConnectionOptions connection;

        @Override
        public Integer call() throws Exception {
            KafkaSettings settings = KafkaSettings.fromEnv(connection.env());
            Instant from = since == null ? null : parseSince(since, Instant.now());
            DeadLetterReplay.Result r = DeadLetterReplay.run(settings, topic, from, dryRun);
            PrintStream out = System.out;
            for (DeadLetter l : r.letters()) {
                out.printf("%s %s from %s: %s%n", dryRun ? "would replay" : "replayed", l.dlqTopic() + "-" + l.partition()
                        + "@" + l.offset(), l.source(), l.reason());
            }
            out.printf("%s: %d read, %d %s to %s, %d older than --since, %d from other topics%n", r.dlqTopic(), r.read(),
                    dryRun ? r.selected() : r.sent(), dryRun ? "would be replayed" : "replayed", r.target(),
                    r.skippedOlder(), r.skippedOtherSource());
            return 0;
        }
    }
}
