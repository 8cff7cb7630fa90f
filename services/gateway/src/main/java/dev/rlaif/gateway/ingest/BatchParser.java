package dev.rlaif.gateway.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.validation.FieldError;
import dev.rlaif.common.validation.ValidationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Splits a request body into records and validates each: one JSON object, a JSON array of objects, or NDJSON
 * (one object per line). Every bad record is reported with its 1-based line (or array index + 1) and fields.
 */
public final class BatchParser {

    /** A record that failed: where it was and what was wrong. */
    public record LineError(int line, List<FieldError> errors) {
    }

    /** The outcome: the valid records in order with their lines, and the errors of the others. */
    public record Batch<T>(List<T> records, List<Integer> lines, List<LineError> errors, int total) {
    }

    /** Refuses trailing content after the JSON value ({@code {...}{...}}, {@code {...}}}}}). */
    private static final ObjectReader READER = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private BatchParser() {
    }

    /**
     * Parses a request body given as bytes: it must be valid UTF-8 (a malformed byte is reported with its line),
     * and no string or field name may hold an unpaired surrogate ({@code "\\ud800"}), since such text cannot be
     * stored as UTF-8 without being silently replaced.
     */
    public static <T> Batch<T> parse(byte[] body, boolean ndjson, int maxLines, Function<JsonNode, T> parse)
            throws TooManyRecordsException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            int at = firstMalformed(body);
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (body[i] == '\n') {
                    line++;
                }
            }
            throw new MalformedBodyException(new LineError(line, List.of(new FieldError("$",
                    "not valid UTF-8: malformed byte sequence at byte offset " + at))));
        }
        return parse(text, ndjson, maxLines, parse);
    }

    /**
     * @param body      request body
     * @param ndjson    true for NDJSON, false for a JSON object or array
     * @param maxLines  most records allowed
     * @param parse     validates one JSON record, throwing {@link ValidationException}
     */
    public static <T> Batch<T> parse(String body, boolean ndjson, int maxLines, Function<JsonNode, T> parse)
            throws TooManyRecordsException {
        List<JsonNode> nodes = new ArrayList<>();
        List<LineError> errors = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        if (ndjson) {
            String[] lines = body.split("\r?\n", -1);
            int count = 0;
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                if (++count > maxLines) {
                    throw new TooManyRecordsException(maxLines);
                }
                try {
                    nodes.add(READER.readTree(lines[i]));
                    lineNumbers.add(i + 1);
                } catch (IOException e) {
                    errors.add(new LineError(i + 1, List.of(new FieldError("$", "not valid JSON: " + firstLine(e.getMessage())))));
                }
            }
        } else {
            JsonNode root;
            try {
                root = READER.readTree(body);
            } catch (IOException e) {
                throw new ValidationException(List.of(new FieldError("$", "not valid JSON: " + firstLine(e.getMessage()))));
            }
            if (root == null || root.isMissingNode()) {
                throw new ValidationException(List.of(new FieldError("$", "the body is empty")));
            }
            if (root.isArray()) {
                if (root.size() > maxLines) {
                    throw new TooManyRecordsException(maxLines);
                }
                for (int i = 0; i < root.size(); i++) {
                    nodes.add(root.get(i));
                    lineNumbers.add(i + 1);
                }
            } else {
                nodes.add(root);
                lineNumbers.add(1);
            }
        }
        List<T> records = new ArrayList<>();
        List<Integer> recordLines = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            List<FieldError> surrogates = new ArrayList<>();
            unpairedSurrogates(nodes.get(i), "", surrogates);
            if (!surrogates.isEmpty()) {
                errors.add(new LineError(lineNumbers.get(i), surrogates));
                continue;
            }
            try {
                records.add(parse.apply(nodes.get(i)));
                recordLines.add(lineNumbers.get(i));
            } catch (ValidationException e) {
                errors.add(new LineError(lineNumbers.get(i), e.errors()));
            }
        }
        errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return new Batch<>(records, recordLines, errors, records.size() + errors.size());
    }

    /** Reports every string value or field name below {@code node} that holds an unpaired UTF-16 surrogate. */
    static void unpairedSurrogates(JsonNode node, String path, List<FieldError> out) {
        if (node.isTextual()) {
            int at = unpairedSurrogate(node.textValue());
            if (at >= 0) {
                out.add(new FieldError(path.isEmpty() ? "$" : path, "holds an unpaired surrogate (\\u"
                        + Integer.toHexString(node.textValue().charAt(at)) + ") at character " + at + "; not valid Unicode text"));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                unpairedSurrogates(node.get(i), path + "[" + i + "]", out);
            }
        } else if (node.isObject()) {
            var it = node.fields();
            while (it.hasNext()) {
                var e = it.next();
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (unpairedSurrogate(e.getKey()) >= 0) {
                    out.add(new FieldError(path.isEmpty() ? "$" : path, "a field name holds an unpaired surrogate"));
                    continue;
                }
                unpairedSurrogates(e.getValue(), child, out);
            }
        }
    }

    /** The index of the first unpaired surrogate in {@code s}, or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static int firstMalformed(byte[] body) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(body.length + 1);
        java.nio.charset.CoderResult r = d.decode(in, out, true);
        return r.isError() ? in.position() : body.length;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A body that is not text at all (invalid UTF-8): nothing in it can be read. */
    public static final class MalformedBodyException extends RuntimeException {
        private final LineError error;

        public MalformedBodyException(LineError error) {
            super(error.errors().get(0).message());
            this.error = error;
        }

        public LineError error() {
            return error;
        }
    }

    /** More records than allowed in one request. */
    public static final class TooManyRecordsException extends Exception {
        public TooManyRecordsException(int max) {
            super("a batch may hold at most " + max + " records");
        }
    }
}
