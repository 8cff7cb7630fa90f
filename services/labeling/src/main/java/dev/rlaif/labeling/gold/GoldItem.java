package dev.rlaif.labeling.gold;

import dev.rlaif.schema.ChatMessage;

import java.util.List;

/**
 * A pair with a known answer, served to annotators among real tasks to measure their accuracy.
 *
 * @param goldId stable id of the item (from the gold file)
 * @param better the response the gold answer prefers
 * @param worse  the other response
 */
public record GoldItem(String goldId, List<ChatMessage> prompt, String better, String worse) {

    public GoldItem {
        prompt = List.copyOf(prompt);
    }
}
