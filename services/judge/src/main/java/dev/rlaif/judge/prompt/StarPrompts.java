package dev.rlaif.judge.prompt;

import dev.rlaif.common.star.JudgePrompts;
import dev.rlaif.schema.ChatMessage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The judge's pairwise prompt for the STaR export: the same template and slots as the GenRM judge's requests
 * (both build them with {@link PromptTemplate#pairwiseSlots}), so an exported sample is trained on the prompt it answered.
 */
public final class StarPrompts implements JudgePrompts {

    @Override
    public Optional<List<Map<String, String>>> render(String promptVersion, List<ChatMessage> conversation, String first,
                                                      String second, boolean allowTie) {
        PromptTemplate template;
        try {
            template = PromptTemplate.load(promptVersion == null || promptVersion.isEmpty()
                    ? PromptTemplate.PAIRWISE_V1 : promptVersion);
        } catch (RuntimeException e) {
            return Optional.empty();                                   // a version this build does not ship
        }
        // the judge's own slots (GenRmJudge.request): neutralised texts and, for fenced templates, a fence token; the
        // token is drawn afresh, since the judge's per-request one is not recorded
        Map<String, String> slots = template.pairwiseSlots(conversation, first, second, PromptTemplate.tieClause(allowTie));
        return Optional.of(List.of(Map.of("role", "system", "content", template.system(slots)),
                Map.of("role", "user", "content", template.user(slots))));
    }
}
