package dev.rlaif.judge.prompt;

import dev.rlaif.schema.ChatMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A versioned prompt kept as a resource file ({@code <version>.prompt} next to this class), with a
 * {@code ### system} and a {@code ### user} section and {@code {placeholder}} slots. The version (the file's
 * name) is recorded in every Judgment and Critique, so a change of wording is a new file, never an edit.
 */
public final class PromptTemplate {

    /** The pairwise judge prompt: reasoning first, then {@code [[A]]}, {@code [[B]]} or {@code [[C]]}. */
    public static final String PAIRWISE_V1 = "pairwise-v1";
    /**
     * The fenced pairwise prompt: inserted texts sit in blocks whose frame lines carry a random per-request fence
     * token ({@link Fence}), and the verdict must stand alone on the last line. The default.
     */
    public static final String PAIRWISE_V2 = "pairwise-v2";
    /** The single-response critique prompt: three aspects scored 1-10, as JSON. */
    public static final String CRITIQUE_V1 = "critique-v1";

    private final String version;
    private final String system;
    private final String user;

    private PromptTemplate(String version, String system, String user) {
        this.version = version;
        this.system = system;
        this.user = user;
    }

    /** Loads {@code <version>.prompt} from the classpath. */
    public static PromptTemplate load(String version) {
        String name = version + ".prompt";
        try (InputStream in = PromptTemplate.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no prompt resource " + name + " (unknown prompt version '" + version + "')");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int s = text.indexOf("### system\n");
            int u = text.indexOf("### user\n");
            if (s < 0 || u < s) {
                throw new IllegalArgumentException("prompt " + name + " needs a '### system' then a '### user' section");
            }
            return new PromptTemplate(version, text.substring(s + 11, u).strip(), text.substring(u + 9).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String version() {
        return version;
    }

    /** The system message with the slots filled. */
    public String system(Map<String, String> slots) {
        return fill(system, slots);
    }

    /** The user message with the slots filled. */
    public String user(Map<String, String> slots) {
        return fill(user, slots);
    }

    /**
     * Fills {@code {name}} slots in one pass, so that text inside a response that happens to contain
     * {@code {answer_b}} is never substituted again.
     */
    static String fill(String template, Map<String, String> slots) {
        StringBuilder out = new StringBuilder(template.length() + 256);
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            int close = template.indexOf('}', open);
            String key = close < 0 ? null : template.substring(open + 1, close);
            if (key != null && slots.containsKey(key)) {
                out.append(template, i, open).append(slots.get(key));
                i = close + 1;
            } else {
                out.append(template, i, open + 1);
                i = open + 1;
            }
        }
        return out.toString();
    }

    /** The {@code tie_clause} slot: what the prompt says about ties when they are allowed, else nothing. */
    public static String tieClause(boolean allowTie) {
        return allowTie ? ", and \"[[C]]\" for a tie" : "";
    }

    /**
     * The slots of a pairwise prompt for one request: the conversation and both answers neutralised
     * ({@link Fence#neutralise}), and, where the template has a {@code {fence}} slot, a fresh fence token that none
     * of the texts contains, carried by the conversation's role lines.
     */
    public Map<String, String> pairwiseSlots(List<ChatMessage> conversation, String first, String second,
                                             String tieClause) {
        String a = Fence.neutralise(first);
        String b = Fence.neutralise(second);
        if (!(system + user).contains("{fence}")) {
            return Map.of("conversation", Fence.transcript(conversation, null), "answer_a", a, "answer_b", b,
                    "tie_clause", tieClause);
        }
        String raw = transcript(conversation);
        String fence = Fence.token(raw, first, second);
        return Map.of("conversation", Fence.transcript(conversation, fence), "answer_a", a, "answer_b", b,
                "tie_clause", tieClause, "fence", fence);
    }

    /** A chat transcript as text: one {@code [role]} block per turn, oldest first. */
    public static String transcript(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (!sb.isEmpty()) {
                sb.append("\n\n");
            }
            sb.append('[').append(m.getRole()).append("]\n").append(m.getContent());
        }
        return sb.toString();
    }
}
