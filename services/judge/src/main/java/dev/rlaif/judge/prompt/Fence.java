package dev.rlaif.judge.prompt;

import dev.rlaif.schema.ChatMessage;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Keeps texts pasted into a judge prompt (the conversation's turns, both responses) inside their blocks, so that
 * content cannot steer its own judgment. Two defences:
 * <ul>
 *   <li>a random fence token per request, carried by every frame line (block open and close, role lines of the
 *       conversation); the prompt tells the model that only lines with the token are frame lines. The token is
 *       drawn again until no inserted text contains it, so a text cannot close its block or forge a turn;</li>
 *   <li>{@link #neutralise}: lines of inserted text that look like frame or role lines ({@code <<<...},
 *       {@code [assistant]}, {@code [The End of Assistant A's Answer]}) get a leading backslash, and verdict tokens
 *       ({@code [[A]]}) are spaced out ({@code [ [A] ]}), so a quoted verdict is not one.</li>
 * </ul>
 * The verdict is then read only from the model's final line ({@code VerdictParser}), never from quoted text.
 */
public final class Fence {

    private static final Pattern FRAME_LINE = Pattern.compile(
            "(?m)^([ \\t]*)(<<<|>>>|\\[[^\\[\\]\\n]{1,80}][ \\t]*$)");
    private static final Pattern VERDICT_TOKEN = Pattern.compile("\\[\\[(\\s*[A-Za-z]\\s*)]]");
    private static final RandomGenerator SECURE = new SecureRandom();

    private Fence() {
    }

    /** A fresh fence token ({@code FENCE-} and 16 hex digits) that occurs in none of {@code texts}. */
    public static String token(RandomGenerator random, String... texts) {
        while (true) {
            byte[] b = new byte[8];
            random.nextBytes(b);
            String token = "FENCE-" + HexFormat.of().formatHex(b);
            boolean clash = false;
            for (String t : texts) {
                if (t != null && t.contains(token)) {
                    clash = true;
                    break;
                }
            }
            if (!clash) {
                return token;
            }
        }
    }

    /** A fresh fence token from a secure random source. */
    public static String token(String... texts) {
        return token(SECURE, texts);
    }

    /** The inserted text with frame-like lines escaped and verdict tokens spaced out; otherwise unchanged. */
    public static String neutralise(String text) {
        if (text == null) {
            return "";
        }
        String s = FRAME_LINE.matcher(text).replaceAll("$1\\\\$2");
        return VERDICT_TOKEN.matcher(s).replaceAll("[ [$1] ]");
    }

    /**
     * The conversation as text, one block per turn opened by a role line that carries the fence
     * ({@code [user FENCE-…]}; with a null fence {@code [user]}), each turn's content neutralised.
     */
    public static String transcript(List<ChatMessage> messages, String fence) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (!sb.isEmpty()) {
                sb.append("\n\n");
            }
            sb.append('[').append(neutraliseRole(m.getRole())).append(fence == null ? "" : " " + fence).append("]\n")
                    .append(neutralise(m.getContent()));
        }
        return sb.toString();
    }

    private static String neutraliseRole(String role) {
        return role == null ? "unknown" : role.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
