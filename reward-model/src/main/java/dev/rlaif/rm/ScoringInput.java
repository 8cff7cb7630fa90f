package dev.rlaif.rm;

import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Critique;

import java.util.List;

/**
 * What a reward model scores: a response to a prompt, with the judge's critique of it when one exists.
 *
 * @param prompt   the prompt as chat messages
 * @param response the response text
 * @param critique the critique of the response, or null
 */
public record ScoringInput(List<ChatMessage> prompt, String response, Critique critique) {
}
