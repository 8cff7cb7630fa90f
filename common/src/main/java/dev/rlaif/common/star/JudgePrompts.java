package dev.rlaif.common.star;

import dev.rlaif.schema.ChatMessage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Renders the judge's pairwise prompt of a given version as chat messages, so the STaR export (merger) can write the
 * exact prompt a judge sample answered without depending on the judge module: the judge registers its
 * implementation under {@code META-INF/services}, and the launcher's classpath has both.
 */
public interface JudgePrompts {

    /** The system and user messages the judge sent for this conversation with {@code first} shown as answer A. */
    Optional<List<Map<String, String>>> render(String promptVersion, List<ChatMessage> conversation, String first,
                                               String second, boolean allowTie);

    /** The first registered implementation, if any. */
    static Optional<JudgePrompts> find() {
        return ServiceLoader.load(JudgePrompts.class).findFirst();
    }
}
