package dev.rlaif.merger.star;

import dev.rlaif.common.json.Json;
import dev.rlaif.common.star.JudgePrompts;
import dev.rlaif.schema.JudgeSample;
import dev.rlaif.schema.Order;
import dev.rlaif.schema.RationalePreference;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The STaR data as TRL datasets (https://huggingface.co/docs/trl/dataset_formats), conversational format:
 * <ul>
 *   <li>SFT, prompt-completion type: {@code {"prompt": [system, user], "completion": [assistant]}}, one line per
 *       judge sample that reached the humans' verdict; the prompt is the judge prompt as that sample saw it (the
 *       answers in its order, AB or BA), the completion its reasoning and verdict token.</li>
 *   <li>DPO, preference type: {@code {"prompt": [system, user], "chosen": [assistant], "rejected": [assistant]}}:
 *       a reasoning that reached the humans' verdict against one that did not, paired within the same order so that
 *       both answer the same prompt.</li>
 * </ul>
 * Records written before samples carried their order (no {@code good_samples}) are skipped: their prompt is unknown.
 */
public final class TrlExport {

    /** Lines written and records skipped. */
    public record Counts(int sft, int dpo, int skipped) {
    }

    private TrlExport() {
    }

    public static Counts write(Iterable<RationalePreference> records, JudgePrompts prompts, boolean allowTie, Path sft,
                               Path dpo) throws IOException {
        for (Path p : List.of(sft, dpo)) {
            if (p.toAbsolutePath().getParent() != null) {
                Files.createDirectories(p.toAbsolutePath().getParent());
            }
        }
        int nSft = 0;
        int nDpo = 0;
        int skipped = 0;
        try (BufferedWriter s = Files.newBufferedWriter(sft, StandardCharsets.UTF_8);
             BufferedWriter d = Files.newBufferedWriter(dpo, StandardCharsets.UTF_8)) {
            for (RationalePreference r : records) {
                if (r.getGoodSamples().isEmpty() && r.getBadSamples().isEmpty()) {
                    skipped++;
                    continue;
                }
                for (Order order : Order.values()) {
                    Optional<List<Map<String, String>>> prompt = prompt(r, order, prompts, allowTie);
                    if (prompt.isEmpty()) {
                        continue;
                    }
                    List<String> good = reasonings(r.getGoodSamples(), order);
                    List<String> bad = reasonings(r.getBadSamples(), order);
                    for (String g : good) {
                        s.write(Json.write(sftLine(prompt.get(), g)));
                        s.newLine();
                        nSft++;
                    }
                    for (int i = 0; i < Math.min(good.size(), bad.size()); i++) {
                        d.write(Json.write(dpoLine(prompt.get(), good.get(i), bad.get(i))));
                        d.newLine();
                        nDpo++;
                    }
                }
            }
        }
        return new Counts(nSft, nDpo, skipped);
    }

    static Map<String, Object> sftLine(List<Map<String, String>> prompt, String completion) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("prompt", prompt);
        line.put("completion", List.of(assistant(completion)));
        return line;
    }

    static Map<String, Object> dpoLine(List<Map<String, String>> prompt, String chosen, String rejected) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("prompt", prompt);
        line.put("chosen", List.of(assistant(chosen)));
        line.put("rejected", List.of(assistant(rejected)));
        return line;
    }

    private static Map<String, String> assistant(String content) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("role", "assistant");
        m.put("content", content);
        return m;
    }

    private static Optional<List<Map<String, String>>> prompt(RationalePreference r, Order order, JudgePrompts prompts,
                                                             boolean allowTie) {
        boolean ab = order == Order.AB;
        return prompts.render(r.getPromptVersion(), r.getPrompt(), ab ? r.getResponseA() : r.getResponseB(),
                ab ? r.getResponseB() : r.getResponseA(), allowTie);
    }

    private static List<String> reasonings(List<JudgeSample> samples, Order order) {
        List<String> out = new ArrayList<>();
        for (JudgeSample s : samples) {
            if (s.getOrder() == order && s.getReasoning() != null && !s.getReasoning().isBlank()) {
                out.add(s.getReasoning());
            }
        }
        return out;
    }
}
