package dev.rlaif.common.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/** The file formats the readers understand. */
public enum DatasetFormat {
    /** Anthropic HH-RLHF: JSON lines {@code {"chosen": transcript, "rejected": transcript}}, optionally gzipped. */
    HH_RLHF,
    /** Generic pairwise JSON lines: {@code {"id"?, "prompt", "response_a", "response_b", "label"?: "A"|"B"|"TIE"}}. */
    PAIRWISE,
    /** One PolicyGeneration as JSON per line (see {@link GenerationJson}). */
    GENERATIONS,
    /** PandaLM's test set: a JSON array of {@code {instruction, input, response1, response2, annotator1..3}}. */
    PANDALM;

    /** Parses a {@code --format} value: hh-rlhf, pairwise, generations, pandalm (case and dashes free). */
    public static DatasetFormat parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "HH", "HH_RLHF", "HHRLHF" -> HH_RLHF;
            case "PAIRWISE", "PAIRS" -> PAIRWISE;
            case "GENERATIONS", "GENERATION" -> GENERATIONS;
            case "PANDALM" -> PANDALM;
            default -> throw new IllegalArgumentException("unknown format '" + name + "': use hh-rlhf, pairwise, generations or pandalm");
        };
    }

    /** Guesses the format from the file's first non-blank characters. */
    public static DatasetFormat detect(Path file) {
        try (BufferedReader r = Datasets.open(file)) {
            String line;
            while ((line = r.readLine()) != null && line.isBlank()) {
                // skip blank lines
            }
            if (line == null) {
                throw new IllegalArgumentException(file + " is empty");
            }
            String head = line.trim();
            if (head.startsWith("[")) {
                return PANDALM;
            }
            if (head.contains("\"chosen\"") && head.contains("\"rejected\"")) {
                return HH_RLHF;
            }
            if (head.contains("\"response_a\"")) {
                return PAIRWISE;
            }
            if (head.contains("\"response\"") && head.contains("\"prompt_id\"")) {
                return GENERATIONS;
            }
            throw new IllegalArgumentException("cannot tell the format of " + file + ": name it with --format");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
