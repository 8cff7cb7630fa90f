package dev.rlaif.merger;

import dev.rlaif.common.config.Env;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The merger's settings, from {@code RLAIF_MERGER_*} variables (table in docs/routing.md).
 *
 * @param applicationId       Kafka Streams application id (also its consumer group)
 * @param emitOnFirstLabel    emit a human preference at the first annotator label (then re-version at each
 *                            further label) instead of waiting for the escalation's labels_wanted
 * @param defaultLabelsWanted labels to wait for when a pair's escalation was not seen (labels from outside tools)
 * @param reliabilityMinLabels labels each annotator of a pair needs in the Dawid–Skene fit before their labels are
 *                             weighted by reliability instead of counted (0: plain majority always)
 * @param reliabilityRefitLabels human labels between two refits of the annotators' model
 */
public record MergerConfig(String applicationId, boolean emitOnFirstLabel, int defaultLabelsWanted,
                           int reliabilityMinLabels, int reliabilityRefitLabels) {

    public MergerConfig(String applicationId, boolean emitOnFirstLabel, int defaultLabelsWanted) {
        this(applicationId, emitOnFirstLabel, defaultLabelsWanted, 20, 100);
    }

    public MergerConfig {
        if (applicationId == null || applicationId.isBlank()) {
            throw new IllegalArgumentException("RLAIF_MERGER_APP_ID must not be empty");
        }
        if (defaultLabelsWanted < 1) {
            throw new IllegalArgumentException("RLAIF_MERGER_DEFAULT_LABELS_WANTED must be >= 1, was " + defaultLabelsWanted);
        }
        if (reliabilityMinLabels < 0) {
            throw new IllegalArgumentException("RLAIF_MERGER_RELIABILITY_MIN_LABELS must be >= 0, was " + reliabilityMinLabels);
        }
        if (reliabilityRefitLabels < 1) {
            throw new IllegalArgumentException("RLAIF_MERGER_RELIABILITY_REFIT_LABELS must be >= 1, was " + reliabilityRefitLabels);
        }
    }

    public static MergerConfig defaults() {
        return fromEnv(new Env(Map.of()));
    }

    public static MergerConfig fromEnv(Env env) {
        return new MergerConfig(
                env.string("RLAIF_MERGER_APP_ID", "rlaif-merger"),
                env.bool("RLAIF_MERGER_EMIT_ON_FIRST_LABEL", false),
                env.integer("RLAIF_MERGER_DEFAULT_LABELS_WANTED", 1),
                env.integer("RLAIF_MERGER_RELIABILITY_MIN_LABELS", 20),
                env.integer("RLAIF_MERGER_RELIABILITY_REFIT_LABELS", 100));
    }

    /** For the start-up log. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("appId", applicationId);
        m.put("emitOnFirstLabel", emitOnFirstLabel);
        m.put("defaultLabelsWanted", defaultLabelsWanted);
        m.put("reliabilityMinLabels", reliabilityMinLabels);
        m.put("reliabilityRefitLabels", reliabilityRefitLabels);
        return m;
    }
}
