package dev.rlaif.common.http;

import java.util.Locale;
import java.util.Optional;

/**
 * The request body types the gateway (and, JSON only, the scorer) take, read strictly from {@code Content-Type}: the media type must be exactly
 * {@code application/json}, or {@code application/x-ndjson} (also {@code application/ndjson},
 * {@code application/jsonl}); parameters may follow after {@code ;}, and a {@code charset} parameter must say UTF-8.
 * {@code application/jsonfoo} or {@code application/json-seq} is not JSON.
 */
public enum BodyType {
    JSON("application/json"), NDJSON("application/x-ndjson");

    private final String mediaType;

    BodyType(String mediaType) {
        this.mediaType = mediaType;
    }

    /**
     * The 415 answer's message: which types this endpoint takes, and the {@code Content-Type} that came (cut at 100
     * characters), e.g. {@code Content-Type must be application/json (parameters allowed, charset utf-8 if given),
     * was 'text/plain'}.
     */
    public static String unsupportedMessage(String contentType, BodyType... accepted) {
        StringBuilder types = new StringBuilder();
        for (int i = 0; i < accepted.length; i++) {
            types.append(i == 0 ? "" : " or ").append(accepted[i].mediaType);
        }
        String was = contentType == null ? "none" : contentType.length() <= 100 ? contentType : contentType.substring(0, 100) + "...";
        return "Content-Type must be " + types + " (parameters allowed, charset utf-8 if given), was '" + was + "'";
    }

    /** The body type of a {@code Content-Type} header; empty for anything else (the caller answers 415). */
    public static Optional<BodyType> of(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String[] parts = contentType.split(";");
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        BodyType type = switch (media) {
            case "application/json" -> JSON;
            case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines" -> NDJSON;
            default -> null;
        };
        if (type == null) {
            return Optional.empty();
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            String name = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1).trim().replace("\"", "").toLowerCase(Locale.ROOT);
            if (name.equals("charset") && !value.equals("utf-8") && !value.equals("utf8")) {
                return Optional.empty();
            }
        }
        return Optional.of(type);
    }
}
