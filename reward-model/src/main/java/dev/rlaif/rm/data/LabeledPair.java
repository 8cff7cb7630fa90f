package dev.rlaif.rm.data;

import dev.rlaif.common.dataset.PreferenceExample;
import dev.rlaif.rm.ScoringInput;
import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.Critique;

import java.util.List;
import java.util.Optional;

/**
 * A comparison with a winner, as the reward model trains and evaluates on it.
 *
 * @param id                pair id (deterministic splits hash it)
 * @param prompt            the prompt
 * @param chosen            preferred response
 * @param rejected          the other response
 * @param chosenCritique    critique of the preferred response, or null
 * @param rejectedCritique  critique of the other, or null
 * @param weight            source weight (1 for dataset pairs)
 */
public record LabeledPair(String id, List<ChatMessage> prompt, String chosen, String rejected, Critique chosenCritique,
                          Critique rejectedCritique, float weight) {

    /** The pair of a dataset example; empty when it has no winner (unlabeled or tie). */
    public static Optional<LabeledPair> of(PreferenceExample ex) {
        if (ex.label() == Choice.A) {
            return Optional.of(new LabeledPair(ex.id(), ex.prompt(), ex.responseA(), ex.responseB(), null, null, 1f));
        }
        if (ex.label() == Choice.B) {
            return Optional.of(new LabeledPair(ex.id(), ex.prompt(), ex.responseB(), ex.responseA(), null, null, 1f));
        }
        return Optional.empty();
    }

    public ScoringInput chosenInput() {
        return new ScoringInput(prompt, chosen, chosenCritique);
    }

    public ScoringInput rejectedInput() {
        return new ScoringInput(prompt, rejected, rejectedCritique);
    }
}
