package dev.rlaif.router.quality;

/**
 * What the judge-quality table learns from one record, keyed (after repartitioning) by judge model and prompt
 * version: a judgment ({@code label} false: its position consistency and samples drawn) or a human label scored
 * against the AI verdict ({@code label} true: the judgment's confidence, agreement, whether the pair was an audit).
 */
public record QualityEvent(String judgeModel, String promptVersion, boolean label, boolean positionConsistent,
                           int samplesDrawn, double confidence, boolean agreed, boolean audit) {

    public JudgeQuality.Key key() {
        return new JudgeQuality.Key(judgeModel, promptVersion);
    }

    /** Repartitioning key: model and prompt version. */
    public String partitionKey() {
        return judgeModel + '\u0000' + promptVersion;
    }

    /** Applies the event to the table. */
    public void applyTo(JudgeQuality q) {
        if (label) {
            q.humanLabel(key(), confidence, agreed, audit);
        } else {
            q.judgment(key(), positionConsistent, samplesDrawn);
        }
    }
}
