package dev.rlaif.rm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Bradley-Terry pairwise loss with the switches of Secrets of RLHF II (margin, label smoothing, weights).
 *
 * <p>For pair i with rewards {@code r_c} (chosen) and {@code r_r} (rejected), {@code d_i = r_c - r_r}:
 * <pre>
 *   L = sum_i w_i * [ t_i * softplus(-(d_i - m_i)) + (1 - t_i) * softplus(d_i - m_i) ] / sum_i w_i
 * </pre>
 * where {@code softplus(z) = log(1 + e^z)}, so {@code softplus(-z) = -log sigmoid(z)}. With target {@code t_i = 1},
 * margin {@code m_i = 0} and weight {@code w_i = 1} this is the plain Bradley-Terry loss
 * {@code mean_i -log sigmoid(r_c - r_r)}. A target below 1 is label smoothing, a positive margin asks for a
 * wider gap (adaptive margin), the weight scales a pair (e.g. by label source). Flipping a pair is done by the
 * caller swapping chosen and rejected.
 *
 * <p>Predictions: {@code NDList(r_c, r_r)} (any shape with the batch first, flattened). Labels:
 * {@code NDList(t)} or {@code NDList(t, m, w)}.
 */
public final class BradleyTerryLoss extends Loss {

    public BradleyTerryLoss() {
        super("BradleyTerryLoss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray d = predictions.get(0).flatten().sub(predictions.get(1).flatten());
        NDArray t = labels.get(0).flatten();
        NDArray z = labels.size() > 1 ? d.sub(labels.get(1).flatten()) : d;
        NDArray perPair = t.mul(softplus(z.neg())).add(t.neg().add(1).mul(softplus(z)));
        if (labels.size() > 2) {
            NDArray w = labels.get(2).flatten();
            return perPair.mul(w).sum().div(w.sum().maximum(1e-12f));
        }
        return perPair.mean();
    }

    /** Numerically stable {@code log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)}. */
    static NDArray softplus(NDArray z) {
        return z.maximum(0f).add(z.abs().neg().exp().add(1f).log());
    }
}
