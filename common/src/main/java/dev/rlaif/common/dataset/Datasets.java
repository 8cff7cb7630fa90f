package dev.rlaif.common.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.PolicyGeneration;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/**
 * Readers of every dataset format ({@link DatasetFormat}), streaming: the demo, {@code ./rlaif ingest} and the
 * trainer's offline commands all read through here. Gzipped files ({@code .gz}) are read transparently.
 * A malformed line fails with its line number.
 */
public final class Datasets {

    private Datasets() {
    }

    /** Comparisons from a pairwise file (HH-RLHF, generic pairwise, PandaLM); {@code format} null to detect. */
    public static Stream<PreferenceExample> readPairs(Path file, DatasetFormat format) {
        DatasetFormat f = format == null ? DatasetFormat.detect(file) : format;
        return switch (f) {
            case HH_RLHF -> lines(file).map(l -> hhRlhf(l.text(), l.number()));
            case PAIRWISE -> lines(file).map(l -> pairwise(l.text(), l.number()));
            case PANDALM -> pandaLm(file);
            case GENERATIONS -> throw new IllegalArgumentException(file + " holds generations, not pairs");
        };
    }

    /** Generations from a generation JSON-lines file. */
    public static Stream<PolicyGeneration> readGenerations(Path file) {
        return lines(file).map(l -> {
            try {
                return GenerationJson.parse(Json.MAPPER.readTree(l.text()), GenerationJson.Limits.DEFAULT, Clock.systemUTC());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(file + " line " + l.number() + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * The two generations of a comparison, as a policy would have published them: same prompt id, ids derived from
     * the example id. The order is shuffled by a hash of the id, so that "the first generation is the better one"
     * is never a signal downstream.
     */
    public static List<PolicyGeneration> toGenerations(PreferenceExample ex, String policyModel, Instant createdAt,
                                                       Map<String, String> tags) {
        PolicyGeneration a = generation(ex, "a", ex.responseA(), policyModel, createdAt, tags);
        PolicyGeneration b = generation(ex, "b", ex.responseB(), policyModel, createdAt, tags);
        return PairIds.unitHash(ex.id()) < 0.5 ? List.of(a, b) : List.of(b, a);
    }

    private static PolicyGeneration generation(PreferenceExample ex, String side, String response, String model,
                                               Instant createdAt, Map<String, String> tags) {
        return PolicyGeneration.newBuilder().setGenerationId(ex.id() + "-" + side).setPromptId(ex.id())
                .setPrompt(ex.prompt()).setResponse(response).setPolicyModel(model).setPolicyVersion("")
                .setCreatedAt(createdAt).setTags(tags).build();
    }

    static PreferenceExample hhRlhf(String line, long number) {
        try {
            JsonNode n = Json.MAPPER.readTree(line);
            String chosen = text(n, "chosen");
            String rejected = text(n, "rejected");
            List<ChatMessage> c = Transcripts.parse(chosen);
            List<ChatMessage> r = Transcripts.parse(rejected);
            if (!"assistant".equals(c.get(c.size() - 1).getRole()) || !"assistant".equals(r.get(r.size() - 1).getRole())) {
                throw new IllegalArgumentException("the last turn of chosen and rejected must be the Assistant's");
            }
            List<ChatMessage> prompt = c.subList(0, c.size() - 1);
            String id = "hh-" + PairIds.hash(chosen + "\u0000" + rejected, 16);
            return new PreferenceExample(id, prompt, c.get(c.size() - 1).getContent(), r.get(r.size() - 1).getContent(),
                    Choice.A, List.of());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("HH-RLHF line " + number + ": " + e.getMessage(), e);
        }
    }

    static PreferenceExample pairwise(String line, long number) {
        try {
            JsonNode n = Json.MAPPER.readTree(line);
            JsonNode p = n.get("prompt");
            List<ChatMessage> prompt = new ArrayList<>();
            if (p != null && p.isTextual()) {
                prompt.add(new ChatMessage("user", p.asText()));
            } else if (p != null && p.isArray()) {
                for (JsonNode m : p) {
                    prompt.add(new ChatMessage(m.path("role").asText("user"), m.path("content").asText()));
                }
            } else {
                throw new IllegalArgumentException("prompt must be a string or an array of messages");
            }
            String a = text(n, "response_a");
            String b = text(n, "response_b");
            Choice label = n.hasNonNull("label") ? choice(n.get("label").asText()) : null;
            String id = n.hasNonNull("id") ? n.get("id").asText() : "pw-" + PairIds.hash(line, 16);
            return new PreferenceExample(id, prompt, a, b, label, List.of());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("pairwise line " + number + ": " + e.getMessage(), e);
        }
    }

    private static Stream<PreferenceExample> pandaLm(Path file) {
        BufferedReader reader = open(file);
        try {
            JsonParser parser = Json.MAPPER.getFactory().createParser(reader);
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException(file + ": PandaLM data must be a JSON array");
            }
            Iterator<PreferenceExample> it = new Iterator<>() {
                JsonToken next = parser.nextToken();

                @Override
                public boolean hasNext() {
                    return next == JsonToken.START_OBJECT;
                }

                @Override
                public PreferenceExample next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    try {
                        JsonNode n = Json.MAPPER.readTree(parser);
                        next = parser.nextToken();
                        return pandaLmItem(n);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
                    .onClose(() -> close(reader));
        } catch (IOException e) {
            close(reader);
            throw new UncheckedIOException(e);
        }
    }

    static PreferenceExample pandaLmItem(JsonNode n) {
        String instruction = text(n, "instruction");
        String input = n.path("input").asText("");
        String prompt = input.isBlank() ? instruction : instruction + "\n\n" + input;
        List<Choice> votes = new ArrayList<>();
        for (String k : List.of("annotator1", "annotator2", "annotator3")) {
            if (n.hasNonNull(k)) {
                votes.add(switch (n.get(k).asInt()) {
                    case 0 -> Choice.TIE;
                    case 1 -> Choice.A;
                    case 2 -> Choice.B;
                    default -> throw new IllegalArgumentException(k + " must be 0, 1 or 2");
                });
            }
        }
        String id = "pandalm-" + n.path("idx").asText(PairIds.hash(n.toString(), 12));
        return new PreferenceExample(id, List.of(new ChatMessage("user", prompt)), text(n, "response1"),
                text(n, "response2"), majority(votes), votes);
    }

    /** The most frequent choice; a tie between A and B counts as TIE; null when there are no votes. */
    public static Choice majority(List<Choice> votes) {
        if (votes.isEmpty()) {
            return null;
        }
        long a = votes.stream().filter(c -> c == Choice.A).count();
        long b = votes.stream().filter(c -> c == Choice.B).count();
        long t = votes.size() - a - b;
        if (a > b && a > t) {
            return Choice.A;
        }
        if (b > a && b > t) {
            return Choice.B;
        }
        return Choice.TIE;
    }

    private static Choice choice(String s) {
        return Choice.valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || !v.isValueNode()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        // PandaLM has a few JSON booleans as responses ("true"): read scalars as their text.
        return v.asText();
    }

    record Line(long number, String text) {
    }

    private static Stream<Line> lines(Path file) {
        BufferedReader reader = open(file);
        Iterator<Line> it = new Iterator<>() {
            long number;
            String next = advance();

            private String advance() {
                try {
                    String l;
                    do {
                        l = reader.readLine();
                        number++;
                    } while (l != null && l.isBlank());
                    return l;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Line next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Line l = new Line(number, next);
                next = advance();
                return l;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
                .onClose(() -> close(reader));
    }

    /** Opens a text file, gunzipping {@code .gz} files. */
    public static BufferedReader open(Path file) {
        try {
            InputStream in = Files.newInputStream(file);
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    private static void close(BufferedReader r) {
        try {
            r.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
