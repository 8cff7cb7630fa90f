package dev.rlaif.common.topic;

import dev.rlaif.schema.CalibrationCell;
import dev.rlaif.schema.ComparisonPair;
import dev.rlaif.schema.Critique;
import dev.rlaif.schema.EscalationRequest;
import dev.rlaif.schema.HumanLabel;
import dev.rlaif.schema.Judgment;
import dev.rlaif.schema.PolicyGeneration;
import dev.rlaif.schema.PreferenceLabel;
import dev.rlaif.schema.RationalePreference;
import dev.rlaif.schema.RewardModelVersion;
import dev.rlaif.schema.UserFeedback;

import java.util.List;

/**
 * The topic catalog: every topic of the pipeline, in one place. Keys are UTF-8 strings, values Avro records
 * in the Confluent wire format. Every topic has a {@code .dlq} sibling (see {@link Topic#dlq()}).
 *
 * <pre>
 * generations ─▶ pairing ─▶ pairs ─▶ judge ─▶ judgments ─▶ router ─┬▶ ai-labels ───────────────┐
 * feedback ───────────────────────────────────┐   └▶ critiques    └▶ escalations ─▶ labeling  │
 *                                              └──────────────▶ merger ◀─ human-labels ◀──────┘
 *                                                                 └▶ preferences ─▶ trainer ─▶ model-versions ─▶ scorer, judge
 * router ─▶ calibration (compacted) ─▶ every router instance
 * </pre>
 */
public final class Topics {

    private Topics() {
    }

    /** Policy generations, from the gateway, the CLI, or producers writing to Kafka directly. */
    public static final Topic<PolicyGeneration> GENERATIONS =
            new Topic<>("generations", "prompt_id", PolicyGeneration.class, "delete", true);
    /** Online user feedback (thumbs, pairwise choices). */
    public static final Topic<UserFeedback> FEEDBACK =
            new Topic<>("feedback", "prompt_id", UserFeedback.class, "delete", true);
    /** Comparison pairs formed per prompt. */
    public static final Topic<ComparisonPair> PAIRS =
            new Topic<>("pairs", "pair_id", ComparisonPair.class, "delete", false);
    /** The judge's verdicts. */
    public static final Topic<Judgment> JUDGMENTS =
            new Topic<>("judgments", "pair_id", Judgment.class, "delete", false);
    /** The judge's critiques of single responses. */
    public static final Topic<Critique> CRITIQUES =
            new Topic<>("critiques", "generation_id", Critique.class, "compact", false);
    /** Judgments confident enough to become labels without a human. */
    public static final Topic<Judgment> AI_LABELS =
            new Topic<>("ai-labels", "pair_id", Judgment.class, "delete", false);
    /** Pairs that humans should label. */
    public static final Topic<EscalationRequest> ESCALATIONS =
            new Topic<>("escalations", "pair_id", EscalationRequest.class, "delete", false);
    /** Labels from annotators (the labeling service, or external tools). */
    public static final Topic<HumanLabel> HUMAN_LABELS =
            new Topic<>("human-labels", "pair_id", HumanLabel.class, "delete", true);
    /**
     * The router's AI-human agreement table, one record per (judge model, confidence bucket), written by the router
     * instance that owns the model's partition and read whole by every instance (a global store); compacted.
     */
    public static final Topic<CalibrationCell> CALIBRATION =
            new Topic<>("calibration", "judge_model NUL bucket", CalibrationCell.class, "compact", false);
    /** The merged preference stream the trainer learns from; compacted, latest label_version wins. */
    public static final Topic<PreferenceLabel> PREFERENCES =
            new Topic<>("preferences", "pair_id", PreferenceLabel.class, "compact", false);
    /** GenRM STaR data: judge reasoning that agreed and disagreed with humans. */
    public static final Topic<RationalePreference> RATIONALES =
            new Topic<>("rationales", "pair_id", RationalePreference.class, "delete", false);
    /** Reward-model versions the trainer produced. */
    public static final Topic<RewardModelVersion> MODEL_VERSIONS =
            new Topic<>("model-versions", "version", RewardModelVersion.class, "delete", false);

    /** Every topic, in pipeline order. */
    public static final List<Topic<?>> ALL = List.of(GENERATIONS, FEEDBACK, PAIRS, JUDGMENTS, CRITIQUES, AI_LABELS,
            ESCALATIONS, HUMAN_LABELS, CALIBRATION, PREFERENCES, RATIONALES, MODEL_VERSIONS);
}
