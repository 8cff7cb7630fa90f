package dev.rlaif.common.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads typed fields out of a JSON object, collecting a {@link FieldError} for each one that is missing or of the
 * wrong type instead of stopping at the first, so a client learns everything wrong with a record at once.
 */
public final class JsonFields {

    /** Earliest instant a record may carry (inclusive). */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    /** Instants from here on are refused: far-future dates are mistakes, and years past 292278994 overflow. */
    public static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    private final JsonNode node;
    private final String prefix;
    private final List<FieldError> errors;

    public JsonFields(JsonNode node, String prefix, List<FieldError> errors) {
        this.node = node;
        this.prefix = prefix;
        this.errors = errors;
    }

    public String path(String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    public void error(String field, String message) {
        errors.add(new FieldError(path(field), message));
    }

    public JsonNode raw(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    /** A required non-blank string of at most {@code maxLength} characters. */
    public String requiredString(String field, int maxLength) {
        return requiredString(field, maxLength, false);
    }

    /** A required string of at most {@code maxLength} characters, empty allowed when {@code blankAllowed}. */
    public String requiredString(String field, int maxLength, boolean blankAllowed) {
        JsonNode v = raw(field);
        if (v == null) {
            error(field, "is required");
            return null;
        }
        return checkString(field, v, maxLength, blankAllowed);
    }

    /** An optional string; null when absent. */
    public String optionalString(String field, int maxLength) {
        JsonNode v = raw(field);
        return v == null ? null : checkString(field, v, maxLength, true);
    }

    private String checkString(String field, JsonNode v, int maxLength, boolean blankAllowed) {
        if (!v.isTextual()) {
            error(field, "must be a string");
            return null;
        }
        String s = v.asText();
        if (!blankAllowed && s.isBlank()) {
            error(field, "must not be empty");
            return null;
        }
        if (s.length() > maxLength) {
            error(field, "is " + s.length() + " characters long; at most " + maxLength + " allowed");
            return null;
        }
        return s;
    }

    /** An optional number within [min, max]; null when absent. */
    public Double optionalNumber(String field, double min, double max) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            error(field, "must be a number");
            return null;
        }
        double d = v.asDouble();
        if (d < min || d > max || !Double.isFinite(d)) {
            error(field, "must be between " + min + " and " + max + ", was " + d);
            return null;
        }
        return d;
    }

    /** An optional integer within [min, max]; null when absent. */
    public Long optionalInteger(String field, long min, long max) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            error(field, "must be an integer");
            return null;
        }
        if (!v.canConvertToLong()) {
            error(field, "must be between " + min + " and " + max + ", was " + v.asText());
            return null;
        }
        long l = v.asLong();
        if (l < min || l > max) {
            error(field, "must be between " + min + " and " + max + ", was " + l);
            return null;
        }
        return l;
    }

    /** An optional instant: ISO-8601 text or epoch milliseconds; {@code fallback} when absent. */
    public Instant instant(String field, Instant fallback) {
        JsonNode v = raw(field);
        if (v == null) {
            return fallback;
        }
        Instant t;
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) {
                error(field, "must be between " + EARLIEST + " and " + LATEST + ", was " + v.asText() + " ms");
                return fallback;
            }
            t = Instant.ofEpochMilli(v.asLong());
        } else if (v.isTextual()) {
            try {
                t = Instant.parse(v.asText());
            } catch (DateTimeParseException e) {
                error(field, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, was '" + abbreviate(v.asText()) + "'");
                return fallback;
            }
        } else {
            error(field, "must be an ISO-8601 string or epoch milliseconds");
            return fallback;
        }
        if (t.isBefore(EARLIEST) || !t.isBefore(LATEST)) {
            error(field, "must be between " + EARLIEST + " and " + LATEST + ", was " + abbreviate(v.asText()));
            return fallback;
        }
        return t;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /** An optional object of string values; empty when absent. */
    public Map<String, String> stringMap(String field, int maxEntries) {
        JsonNode v = raw(field);
        Map<String, String> out = new TreeMap<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            error(field, "must be an object of strings");
            return out;
        }
        if (v.size() > maxEntries) {
            error(field, "has " + v.size() + " entries; at most " + maxEntries + " allowed");
            return out;
        }
        v.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode()) {
                out.put(e.getKey(), e.getValue().asText());
            } else {
                error(field + "." + e.getKey(), "must be a string");
            }
        });
        return out;
    }

    /** A view of a nested object for nested field names. */
    public JsonFields nested(JsonNode child, String field) {
        return new JsonFields(child, path(field), errors);
    }
}
