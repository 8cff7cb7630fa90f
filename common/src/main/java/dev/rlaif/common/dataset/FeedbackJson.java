package dev.rlaif.common.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlaif.common.pair.PairIds;
import dev.rlaif.common.validation.FieldError;
import dev.rlaif.common.validation.JsonFields;
import dev.rlaif.common.validation.ValidationException;
import dev.rlaif.schema.Choice;
import dev.rlaif.schema.FeedbackKind;
import dev.rlaif.schema.UserFeedback;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON form of {@link UserFeedback}, with validation naming every bad field.
 *
 * <pre>{@code
 * {"feedback_id": "f-1",          // optional: derived from the content when absent
 *  "user_id": "u-7f3a",            // pseudonymous
 *  "kind": "thumbs_up" | "thumbs_down" | "pairwise",
 *  "prompt_id": "p-1", "generation_id": "g-1",
 *  "other_generation_id": "g-2", "choice": "A" | "B" | "TIE",   // pairwise only
 *  "comment": "...", "created_at": "2026-01-31T12:00:00Z", "tags": {}}
 * }</pre>
 */
public final class FeedbackJson {

    private FeedbackJson() {
    }

    public static UserFeedback parse(JsonNode node, GenerationJson.Limits limits, Clock clock) {
        if (node == null || !node.isObject()) {
            throw new ValidationException(List.of(new FieldError("$", "must be a JSON object")));
        }
        List<FieldError> errors = new ArrayList<>();
        JsonFields f = new JsonFields(node, "", errors);
        String feedbackId = f.optionalString("feedback_id", limits.maxIdLength());
        String userId = f.requiredString("user_id", limits.maxIdLength());
        String kindText = f.requiredString("kind", 32);
        String promptId = f.requiredString("prompt_id", limits.maxIdLength());
        String generationId = f.requiredString("generation_id", limits.maxIdLength());
        String other = f.optionalString("other_generation_id", limits.maxIdLength());
        String choiceText = f.optionalString("choice", 8);
        String comment = f.optionalString("comment", 10_000);
        var createdAt = f.instant("created_at", clock.instant());
        Map<String, String> tags = f.stringMap("tags", limits.maxTags());

        FeedbackKind kind = null;
        if (kindText != null) {
            try {
                kind = FeedbackKind.valueOf(kindText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                f.error("kind", "must be one of thumbs_up, thumbs_down, pairwise; was '" + kindText + "'");
            }
        }
        Choice choice = null;
        if (choiceText != null) {
            try {
                choice = Choice.valueOf(choiceText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                f.error("choice", "must be one of A, B, TIE; was '" + choiceText + "'");
            }
        }
        if (kind == FeedbackKind.PAIRWISE) {
            if (other == null) {
                f.error("other_generation_id", "is required for pairwise feedback");
            } else if (other.equals(generationId)) {
                f.error("other_generation_id", "must differ from generation_id");
            }
            if (choiceText == null) {
                f.error("choice", "is required for pairwise feedback");
            }
        } else if (kind != null) {
            if (other != null) {
                f.error("other_generation_id", "is only allowed for pairwise feedback");
            }
            if (choiceText != null) {
                f.error("choice", "is only allowed for pairwise feedback");
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        if (feedbackId == null) {
            feedbackId = "f-" + PairIds.hash(String.join("\u0000", userId, kind.name(), generationId,
                    String.valueOf(other), String.valueOf(choice), createdAt.toString()), 24);
        }
        return UserFeedback.newBuilder().setFeedbackId(feedbackId).setUserId(userId).setKind(kind).setPromptId(promptId)
                .setGenerationId(generationId).setOtherGenerationId(other).setChoice(choice).setComment(comment)
                .setCreatedAt(createdAt).setTags(Map.copyOf(tags)).build();
    }
}
