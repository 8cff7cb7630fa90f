package dev.rlaif.common.dataset;

import dev.rlaif.schema.ChatMessage;
import dev.rlaif.schema.Choice;

import java.util.List;

/**
 * One labeled (or unlabeled) comparison read from a dataset file, whatever its format.
 *
 * @param id              stable id of the example (from the file, or a hash of its content)
 * @param prompt          the prompt as chat messages
 * @param responseA       first response
 * @param responseB       second response
 * @param label           gold choice (majority of annotators where there are several), or null when unlabeled
 * @param annotatorLabels every annotator's choice, when the dataset has several (PandaLM); else empty
 */
public record PreferenceExample(String id, List<ChatMessage> prompt, String responseA, String responseB, Choice label,
                                List<Choice> annotatorLabels) {

    public PreferenceExample {
        prompt = List.copyOf(prompt);
        annotatorLabels = List.copyOf(annotatorLabels);
    }

    /** The prompt as plain text, turns separated by blank lines: for encoders and display. */
    public String promptText() {
        return Transcripts.render(prompt);
    }
}
