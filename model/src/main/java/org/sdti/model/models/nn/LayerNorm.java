package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.ops.impl.reduce.Moments;

/**
 * PyTorch {@code nn.LayerNorm} over the last axis: {@code (x - mean) / sqrt(var + eps) · γ + β}, biased variance.
 *
 * <p>Not ND4J's {@code layer_norm}: it standardises with its own fixed tiny epsilon instead of {@code eps}, which
 * on rows with variance near {@code eps} is off by O(1); see {@link #standardizeRows}.
 *
 * @param channels size of the normalised axis
 */
public record LayerNorm(SameDiff sd, SDVariable weight, SDVariable bias, long channels, double eps) {

    public static LayerNorm of(SameDiff sd, ParamStore params, String prefix, double eps) {
        return new LayerNorm(sd, params.constant(sd, prefix + ".weight"), params.constant(sd, prefix + ".bias"),
                params.shape(prefix + ".weight")[0], eps);
    }

    /** Normalises each row of token rows {@code [n, channels]}. */
    public SDVariable apply(SDVariable x) {
        return standardizeRows(sd, x, eps).mul(weight).add(bias); // γ, β [channels] broadcast over the rows
    }

    /**
     * {@code (x − mean) / √(var + eps)} per row of {@code x [rows, n]} (biased variance): libnd4j's
     * {@code moments} then {@code batchnorm} with the per-row statistics on axis 0, two ops where the composed
     * form takes seven (at ~50 µs of SameDiff overhead per op, that is most of a small norm's cost), and with
     * exactly PyTorch's epsilon, unlike libnd4j's {@code layer_norm}/{@code standardize}.
     * {@link FrozenBackprop} differentiates the pair as one normalisation.
     */
    public static SDVariable standardizeRows(SameDiff sd, SDVariable x, double eps) {
        SDVariable[] meanVar = new Moments(sd, x, new int[] {1}, false).outputVariables();
        return new BatchNorm(sd, new SDVariable[] {x, meanVar[0], meanVar[1]}, null, null, false, false, false,
                eps, new int[] {0}).outputVariable();
    }

    /** Normalises along the last axis of {@code x} of any rank ≥ 2: flattened to rows and restored. */
    public SDVariable applyLastAxis(SDVariable x) {
        return sd.reshape(apply(x.reshape(-1, channels)), sd.shape(x));
    }
}
