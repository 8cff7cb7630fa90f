package dev.rlaif.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Typed reads from a flat string map (the process environment, merged with command-line overrides), with
 * errors that name the variable. Every config record of the project is built from one of these.
 */
public record Env(Map<String, String> values) {

    public Env {
        values = Map.copyOf(values);
    }

    /** The process environment. */
    public static Env system() {
        return new Env(System.getenv());
    }

    /** This map with {@code overrides} on top. */
    public Env with(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(values);
        overrides.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        return new Env(merged);
    }

    public Optional<String> get(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String string(String name, String fallback) {
        return get(name).orElse(fallback);
    }

    public int integer(String name, int fallback) {
        return parse(name, fallback, Integer::parseInt);
    }

    public long longValue(String name, long fallback) {
        return parse(name, fallback, Long::parseLong);
    }

    public double decimal(String name, double fallback) {
        return parse(name, fallback, Double::parseDouble);
    }

    public boolean bool(String name, boolean fallback) {
        return parse(name, fallback, v -> switch (v.toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        });
    }

    /** A duration as ISO-8601 ({@code PT30S}) or a number with a unit suffix: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
    public Duration duration(String name, Duration fallback) {
        return parse(name, fallback, Env::parseDuration);
    }

    public Path path(String name, Path fallback) {
        return parse(name, fallback, Path::of);
    }

    private <T> T parse(String name, T fallback, Function<String, T> parser) {
        Optional<String> raw = get(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        try {
            return parser.apply(raw.get());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid value for " + name + ": '" + raw.get() + "'", e);
        }
    }

    static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase();
        if (s.startsWith("p")) {
            return Duration.parse(v.trim().toUpperCase());
        }
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (s.charAt(s.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unknown unit");
        };
    }

    /** True when a variable name looks like it holds a secret, so logs show it redacted. */
    public static boolean isSecret(String name) {
        String n = name.toUpperCase();
        return n.contains("KEY") || n.contains("TOKEN") || n.contains("PASSWORD") || n.contains("SECRET");
    }

    /** A value fit for a log line: secrets redacted. */
    public static String redact(String name, Object value) {
        return value == null ? "null" : isSecret(name) ? "******" : String.valueOf(value);
    }
}
