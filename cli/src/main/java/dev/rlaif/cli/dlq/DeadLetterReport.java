package dev.rlaif.cli.dlq;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What {@code ./rlaif dlq inspect} prints: counts per reason, per service, and the latest records with a preview. */
public final class DeadLetterReport {

    /** Longest reason kept as a grouping key (reasons carry exception messages of any length). */
    static final int REASON_KEY_CHARS = 120;
    static final int PREVIEW_CHARS = 160;

    private DeadLetterReport() {
    }

    /** Counts per reason (the first {@value #REASON_KEY_CHARS} characters), most frequent first. */
    public static Map<String, Long> byReason(List<DeadLetter> letters) {
        return sortedCounts(letters, l -> l.reason().length() <= REASON_KEY_CHARS ? l.reason()
                : l.reason().substring(0, REASON_KEY_CHARS) + "…");
    }

    /** Counts per service that dead-lettered, most frequent first. */
    public static Map<String, Long> byService(List<DeadLetter> letters) {
        return sortedCounts(letters, DeadLetter::service);
    }

    private static Map<String, Long> sortedCounts(List<DeadLetter> letters, Function<DeadLetter, String> key) {
        Map<String, Long> counts = letters.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The latest {@code n} records, newest first. */
    public static List<DeadLetter> latest(List<DeadLetter> letters, int n) {
        return letters.stream().sorted(Comparator.comparing(DeadLetter::time).reversed()
                .thenComparing(DeadLetter::offset, Comparator.reverseOrder())).limit(n).toList();
    }

    /**
     * A one-line preview of a value: the decoded record when {@code decoded} is given, else the bytes as text when
     * they are valid UTF-8 without control characters, else the first bytes in hex; cut to
     * {@value #PREVIEW_CHARS} characters.
     */
    public static String preview(byte[] value, String decoded) {
        if (value == null) {
            return "(null: tombstone)";
        }
        String text = decoded != null ? decoded : printable(value);
        if (text == null) {
            byte[] head = value.length <= 32 ? value : java.util.Arrays.copyOf(value, 32);
            text = "hex " + HexFormat.of().formatHex(head) + (value.length > 32 ? "…" : "") + " (" + value.length + " bytes)";
        }
        text = text.replace('\n', ' ').replace('\r', ' ');
        return text.length() <= PREVIEW_CHARS ? text : text.substring(0, PREVIEW_CHARS) + "…";
    }

    private static String printable(byte[] value) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                    return null;
                }
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
