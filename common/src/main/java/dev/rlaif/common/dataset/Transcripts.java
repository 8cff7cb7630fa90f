package dev.rlaif.common.dataset;

import dev.rlaif.schema.ChatMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HH-RLHF transcripts ({@code "\n\nHuman: ...\n\nAssistant: ..."}) to chat messages and back.
 */
public final class Transcripts {

    private static final Pattern TURN = Pattern.compile("\\n\\n(Human|Assistant): ");

    private Transcripts() {
    }

    /** Splits a transcript into turns; "Human" becomes role user, "Assistant" role assistant. */
    public static List<ChatMessage> parse(String transcript) {
        List<ChatMessage> turns = new ArrayList<>();
        Matcher m = TURN.matcher(transcript);
        int start = -1;
        String role = null;
        while (m.find()) {
            if (role != null) {
                turns.add(new ChatMessage(role, transcript.substring(start, m.start())));
            }
            role = m.group(1).equals("Human") ? "user" : "assistant";
            start = m.end();
        }
        if (role == null) {
            throw new IllegalArgumentException("not an HH-RLHF transcript: no \"\\n\\nHuman: \" turn");
        }
        turns.add(new ChatMessage(role, transcript.substring(start)));
        return turns;
    }

    /** Renders messages as readable text: "User: ...", "Assistant: ..." separated by blank lines. */
    public static String render(List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (!sb.isEmpty()) {
                sb.append("\n\n");
            }
            String role = m.getRole();
            sb.append(role.isEmpty() ? role : Character.toUpperCase(role.charAt(0)) + role.substring(1)).append(": ").append(m.getContent());
        }
        return sb.toString();
    }
}
