package dev.rlaif.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.json.Json;
import dev.rlaif.common.validation.FieldError;
import dev.rlaif.common.validation.ValidationException;

import java.io.IOException;
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

    /** The outcome: the valid records in order, and the errors of the others. */
    public record Batch<T>(List<T> records, List<LineError> errors, int total) {
    }

    private BatchParser() {
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
            String[] lines = body.split("\r?\n");
            int count = 0;
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                if (++count > maxLines) {
                    throw new TooManyRecordsException(maxLines);
                }
                try {
                    nodes.add(Json.MAPPER.readTree(lines[i]));
                    lineNumbers.add(i + 1);
                } catch (IOException e) {
                    errors.add(new LineError(i + 1, List.of(new FieldError("$", "not valid JSON: " + firstLine(e.getMessage())))));
                }
            }
        } else {
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new ValidationException(List.of(new FieldError("$", "not valid JSON: " + firstLine(e.getMessage()))));
            }
            if (root == null) {
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
        for (int i = 0; i < nodes.size(); i++) {
            try {
                records.add(parse.apply(nodes.get(i)));
            } catch (ValidationException e) {
                errors.add(new LineError(lineNumbers.get(i), e.errors()));
            }
        }
        errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return new Batch<>(records, errors, records.size() + errors.size());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** More records than allowed in one request. */
    public static final class TooManyRecordsException extends Exception {
        public TooManyRecordsException(int max) {
            super("a batch may hold at most " + max + " records");
        }
    }
}
