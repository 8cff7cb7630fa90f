package dev.rlaif.rm.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The switchable loss refinements of Secrets of RLHF II. Each pair's preference strength {@code s_i} is the mean
 * reward margin of a first-stage ensemble on it, as in the paper (with bootstrapped heads, the mean over the heads
 * whose resample left the pair out, so a pair does not vouch for itself); the switches then act in a second stage:
 *
 * @param marginScale      adaptive margin: {@code m_i = marginScale * clamp(s_i, 0, 3)} (0 = off)
 * @param smoothing        label smoothing {@code epsilon} for weak pairs: target {@code 1 - epsilon} (0 = off)
 * @param weakShare        the share of pairs with the smallest {@code |s_i|} that count as weak
 * @param flipShare        flipping: pairs with {@code s_i < 0} among the lowest {@code flipShare} strengths swap
 *                         chosen and rejected (0 = off)
 * @param sourceWeighting  weight pairs by label source ({@link SourceWeights}); off = every pair weighs 1
 */
public record LossSwitches(double marginScale, double smoothing, double weakShare, double flipShare, boolean sourceWeighting) {

    public static final LossSwitches PLAIN = new LossSwitches(0, 0, 0.3, 0, false);

    public LossSwitches {
        if (marginScale < 0 || smoothing < 0 || smoothing >= 0.5 || weakShare < 0 || weakShare > 1 || flipShare < 0 || flipShare > 0.5) {
            throw new IllegalArgumentException("loss switches out of range: margin >= 0, 0 <= smoothing < 0.5, "
                    + "0 <= weakShare <= 1, 0 <= flipShare <= 0.5");
        }
    }

    /** Whether a strength-estimating first stage is needed. */
    public boolean needsStrength() {
        return marginScale > 0 || smoothing > 0 || flipShare > 0;
    }

    public LossSwitches withMargin(double v) {
        return new LossSwitches(v, smoothing, weakShare, flipShare, sourceWeighting);
    }

    public LossSwitches withSmoothing(double v) {
        return new LossSwitches(marginScale, v, weakShare, flipShare, sourceWeighting);
    }

    public LossSwitches withFlip(double v) {
        return new LossSwitches(marginScale, smoothing, weakShare, v, sourceWeighting);
    }

    public LossSwitches withSourceWeighting(boolean v) {
        return new LossSwitches(marginScale, smoothing, weakShare, flipShare, v);
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("margin_scale", marginScale);
        m.put("label_smoothing", smoothing);
        m.put("weak_share", weakShare);
        m.put("flip_share", flipShare);
        m.put("source_weighting", sourceWeighting);
        return m;
    }
}
