package dev.rlaif.merger.star;

import dev.rlaif.common.config.Env;
import dev.rlaif.common.config.KafkaSettings;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.kafka.TopicReader;
import dev.rlaif.common.topic.Topics;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.RationalePreference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./rlaif export star --out FILE.jsonl}: writes the STaR dataset from the {@code rationales} topic, one JSON
 * object per line, the latest record per pair. Each line holds the prompt, both responses, the humans' choice, the
 * judge reasonings that reached it ({@code chosen}) and those that did not ({@code rejected}).
 */
@Command(name = "star", mixinStandardHelpOptions = true,
        description = "Export judge reasoning that agreed/disagreed with humans (GenRM STaR data) as JSONL")
public final class ExportStarCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "output JSONL file")
    Path out;

    @Option(names = "--sft", description = "TRL SFT JSONL (conversational prompt-completion) (default: OUT with .sft.jsonl)")
    Path sft;

    @Option(names = "--dpo", description = "TRL DPO JSONL (conversational preference) (default: OUT with .dpo.jsonl)")
    Path dpo;

    @Option(names = "--allow-tie", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "the judge prompt offered [[C]] for a tie, as RLAIF_JUDGE_ALLOW_TIE (default: ${DEFAULT-VALUE})")
    boolean allowTie;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: $RLAIF_BOOTSTRAP_SERVERS or localhost:9092)")
    String bootstrapServers;


    @Override
    public Integer call() throws IOException {
        KafkaSettings settings = KafkaSettings.fromEnv(Env.system());
        if (bootstrapServers != null) {
            settings = settings.withBootstrapServers(bootstrapServers);
        }
        Map<String, RationalePreference> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, RationalePreference> r : TopicReader.readAll(settings, Topics.RATIONALES)) {
            latest.put(r.value().getPairId(), r.value());
        }
        int[] counts = write(latest.values(), out);
        System.out.printf("wrote %d STaR records (%d good, %d bad reasonings) to %s%n", latest.size(), counts[0], counts[1], out);
        Path sftFile = sft != null ? sft : sibling(out, ".sft.jsonl");
        Path dpoFile = dpo != null ? dpo : sibling(out, ".dpo.jsonl");
        Map<String, Object> json = new LinkedHashMap<>(Map.of("records", latest.size(), "good_reasoning", counts[0],
                "bad_reasoning", counts[1], "out", out.toString()));
        var prompts = dev.rlaif.common.star.JudgePrompts.find();
        if (prompts.isEmpty()) {
            System.out.println("no judge prompt renderer on the classpath: TRL files not written");
        } else {
            TrlExport.Counts c = TrlExport.write(latest.values(), prompts.get(), allowTie, sftFile, dpoFile);
            System.out.printf("wrote %d SFT lines to %s and %d DPO lines to %s (%d records without sample orders skipped)%n",
                    c.sft(), sftFile, c.dpo(), dpoFile, c.skipped());
            json.put("sft", c.sft());
            json.put("sft_out", sftFile.toString());
            json.put("dpo", c.dpo());
            json.put("dpo_out", dpoFile.toString());
        }
        System.out.println(Json.write(json));
        return 0;
    }

    /** {@code star.jsonl} → {@code star.sft.jsonl}. */
    static Path sibling(Path out, String suffix) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - 6) : name;
        return out.resolveSibling(stem + suffix);
    }

    /** Writes the records as JSONL; returns the numbers of good and bad reasonings. */
    public static int[] write(Iterable<RationalePreference> records, Path file) throws IOException {
        int good = 0;
        int bad = 0;
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (RationalePreference r : records) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("pair_id", r.getPairId());
                line.put("prompt", r.getPrompt().stream().map(ExportStarCommand::message).toList());
                line.put("response_a", r.getResponseA());
                line.put("response_b", r.getResponseB());
                line.put("human_choice", r.getHumanChoice().name());
                line.put("chosen", List.copyOf(r.getGoodReasoning()));
                line.put("rejected", List.copyOf(r.getBadReasoning()));
                line.put("judge_model", r.getJudgeModel());
                line.put("prompt_version", r.getPromptVersion());
                w.write(Json.write(line));
                w.newLine();
                good += r.getGoodReasoning().size();
                bad += r.getBadReasoning().size();
            }
        }
        return new int[]{good, bad};
    }

    private static Map<String, String> message(ChatMessage m) {
        return Map.of("role", m.getRole(), "content", m.getContent());
    }
}
