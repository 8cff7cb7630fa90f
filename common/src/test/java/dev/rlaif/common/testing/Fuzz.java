package dev.rlaif.common.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlaif.common.json.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A bounded, seeded HTTP fuzzer for the services' APIs: from valid seed bodies it makes mutated bodies (byte flips,
 * cuts, insertions), random bytes, wrong JSON types, huge numbers, deep nesting, unicode edge cases (unpaired
 * surrogates, NUL, BOM, right-to-left marks, invalid UTF-8) and odd content types. Same seed, same cases. Tests use
 * it to assert that no input gets a 5xx.
 */
public final class Fuzz {

    /** One request: a body and its content type. */
    public record Case(String kind, String contentType, byte[] body) {
        public String preview() {
            String s = new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8);
            return kind + " [" + contentType + "] " + s.replaceAll("\\p{Cntrl}", "?");
        }
    }

    private static final String[] CONTENT_TYPES = {"application/json", "application/x-ndjson", "application/json; charset=utf-8",
            "application/jsonfoo", "text/plain", "application/json; charset=latin1", "", "application/x-ndjson;;;",
            "multipart/form-data; boundary=x", "application/json\u0000", "APPLICATION/JSON"};

    private static final String[] UNICODE = {"\\ud800", "\\udfff", "\\ud83d\\ude00", "\\u0000", "\u0000", "\ufeff", "\u202e",
            "\u200b", "\uffff", "\ud83d\ude00", "e\u0301", "\u4e00\u4e8c", "\\u", "\\uZZZZ", "\\\\", "\"", "\u2028"};

    private static final String[] WRONG_VALUES = {"null", "true", "0", "-1", "1e999", "-1e999", "123456789012345678901234567890",
            "1.5", "\"\"", "[]", "{}", "[null]", "{\"a\":{}}", "\"" + "x".repeat(300) + "\"", "NaN", "\"2026-13-45T99:00:00Z\"",
            "\"+1000000000-01-01T00:00:00Z\"", "-9223372036854775809", "9223372036854775808", "0.0000000000000000000001"};

    private final Random random;
    private final List<String> seeds;

    /** @param seeds valid JSON bodies (objects) to mutate */
    public Fuzz(long seed, List<String> seeds) {
        this.random = new Random(seed);
        this.seeds = seeds;
    }

    public Random random() {
        return random;
    }

    /** The next case, drawn from the seeded generator. */
    public Case next() {
        String seed = seeds.get(random.nextInt(seeds.size()));
        int kind = random.nextInt(10);
        return switch (kind) {
            case 0 -> new Case("valid", "application/json", bytes(seed));
            case 1 -> new Case("byte-mutation", type(), mutateBytes(bytes(seed)));
            case 2 -> new Case("random-bytes", type(), randomBytes());
            case 3 -> new Case("wrong-type", "application/json", bytes(wrongType(seed)));
            case 4 -> new Case("deep-nesting", "application/json", bytes(deep(seed)));
            case 5 -> new Case("unicode", "application/json", unicode(seed));
            case 6 -> new Case("odd-content-type", CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], bytes(seed));
            case 7 -> new Case("trailing", "application/json", bytes(seed + (random.nextBoolean() ? seed : "}}}")));
            case 8 -> new Case("drop-field", "application/json", bytes(dropField(seed)));
            default -> new Case("ndjson-batch", "application/x-ndjson", bytes(batch()));
        };
    }

    private String type() {
        return random.nextInt(3) == 0 ? CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)] : "application/json";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] mutateBytes(byte[] in) {
        List<Byte> out = new ArrayList<>();
        for (byte b : in) {
            out.add(b);
        }
        int edits = 1 + random.nextInt(8);
        for (int e = 0; e < edits && !out.isEmpty(); e++) {
            int at = random.nextInt(out.size());
            switch (random.nextInt(4)) {
                case 0 -> out.set(at, (byte) random.nextInt(256));
                case 1 -> out.remove(at);
                case 2 -> out.add(at, (byte) random.nextInt(256));
                default -> {
                    int cut = random.nextInt(out.size());
                    while (out.size() > cut) {
                        out.remove(out.size() - 1);
                    }
                }
            }
        }
        byte[] b = new byte[out.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = out.get(i);
        }
        return b;
    }

    private byte[] randomBytes() {
        byte[] b = new byte[random.nextInt(300)];
        random.nextBytes(b);
        return b;
    }

    private String wrongType(String seed) {
        JsonNode n = Json.read(seed);
        List<String> paths = new ArrayList<>();
        collect(n, "", paths);
        if (paths.isEmpty()) {
            return seed;
        }
        ObjectNode root = (ObjectNode) Json.read(seed);
        String path = paths.get(random.nextInt(paths.size()));
        replace(root, path, JsonNodeFactory.instance.textNode("__WRONG__"));
        return Json.write(root).replace("\"__WRONG__\"", WRONG_VALUES[random.nextInt(WRONG_VALUES.length)]);
    }

    private static void collect(JsonNode n, String prefix, List<String> out) {
        if (n.isObject()) {
            n.fieldNames().forEachRemaining(f -> {
                out.add(prefix + "/" + f);
                collect(n.get(f), prefix + "/" + f, out);
            });
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                out.add(prefix + "/" + i);
                collect(n.get(i), prefix + "/" + i, out);
            }
        }
    }

    private static void replace(JsonNode root, String path, JsonNode value) {
        int slash = path.lastIndexOf('/');
        JsonNode parent = slash == 0 ? root : root.at(path.substring(0, slash));
        String last = path.substring(slash + 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last), value);
        }
    }

    private String deep(String seed) {
        int depth = 100 + random.nextInt(4000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String nest = open.repeat(depth) + "1" + close.repeat(random.nextInt(5) == 0 ? depth - 1 : depth);
        ObjectNode root = (ObjectNode) Json.read(seed);
        List<String> fields = new ArrayList<>();
        root.fieldNames().forEachRemaining(fields::add);
        String field = fields.isEmpty() ? "x" : fields.get(random.nextInt(fields.size()));
        String marker = "\"__DEEP__\"";
        root.set(field, JsonNodeFactory.instance.textNode("__DEEP__"));
        return Json.write(root).replace(marker, nest);
    }

    private byte[] unicode(String seed) {
        ObjectNode root = (ObjectNode) Json.read(seed);
        List<String> textFields = new ArrayList<>();
        root.fieldNames().forEachRemaining(f -> {
            if (root.get(f).isTextual()) {
                textFields.add(f);
            }
        });
        if (textFields.isEmpty()) {
            return bytes(seed);
        }
        String field = textFields.get(random.nextInt(textFields.size()));
        String marker = "__UNI__";
        root.put(field, root.get(field).asText() + marker);
        String json = Json.write(root);
        if (random.nextInt(4) == 0) {
            // raw invalid UTF-8 inside the string
            byte[] pre = bytes(json.substring(0, json.indexOf(marker)));
            byte[] post = bytes(json.substring(json.indexOf(marker) + marker.length()));
            byte[] bad = {(byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF};
            byte[] out = new byte[pre.length + bad.length + post.length];
            System.arraycopy(pre, 0, out, 0, pre.length);
            System.arraycopy(bad, 0, out, pre.length, bad.length);
            System.arraycopy(post, 0, out, pre.length + bad.length, post.length);
            return out;
        }
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            sb.append(UNICODE[random.nextInt(UNICODE.length)]);
        }
        String inserted = sb.toString().replace("\"", "\\\"").replace("\u0000", "\\u0000");
        return bytes(json.replace(marker, inserted));
    }

    private String dropField(String seed) {
        ObjectNode root = (ObjectNode) Json.read(seed);
        List<String> fields = new ArrayList<>();
        root.fieldNames().forEachRemaining(fields::add);
        if (!fields.isEmpty()) {
            root.remove(fields.get(random.nextInt(fields.size())));
        }
        return Json.write(root);
    }

    private String batch() {
        int n = 1 + random.nextInt(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String s = seeds.get(random.nextInt(seeds.size()));
            sb.append(random.nextInt(5) == 0 ? dropField(s) : s).append('\n');
        }
        return sb.toString();
    }

    /** Posts one case with the given extra headers. */
    public static HttpResponse<String> post(HttpClient http, URI uri, Case c, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (!c.contentType().isEmpty() && c.contentType().chars().noneMatch(ch -> ch < 0x20)) {
            b.header("Content-Type", c.contentType());
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Counts of outcomes by status, for the test's printout. */
    public static final class Tally {
        private final Map<Integer, Integer> byStatus = new TreeMap<>();
        private final List<String> serverErrors = new ArrayList<>();

        public void add(int status, Case c, String body) {
            byStatus.merge(status, 1, Integer::sum);
            if ((status >= 500 || status < 0) && serverErrors.size() < 20) {
                serverErrors.add(status + " for " + c.preview() + " -> " + body);
            }
        }

        public Map<Integer, Integer> byStatus() {
            return byStatus;
        }

        public List<String> serverErrors() {
            return serverErrors;
        }

        public int total() {
            return byStatus.values().stream().mapToInt(Integer::intValue).sum();
        }
    }
}
