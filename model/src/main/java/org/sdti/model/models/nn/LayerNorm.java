package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * PyTorch {@code nn.LayerNorm} over the last axis: {@code (x - mean) / sqrt(var + eps) · γ + β}, biased variance.
 *
 * <p>Composed from primitives because ND4J's {@code layer_norm} standardises with its own fixed tiny epsilon
 * instead of {@code eps}: on rows with variance near {@code eps} it is off by O(1). Reductions name their axis
 * explicitly: in M2.1 a keepDims reduction over axis -1 is wrong for rank ≥ 3.
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
        SDVariable centred = x.sub(x.mean(true, 1));
        SDVariable variance = sd.math().square(centred).mean(true, 1);
        SDVariable normalised = centred.mul(sd.math().rsqrt(variance.add(eps)));
        return normalised.mul(weight).add(bias); // γ, β [channels] broadcast over the rows
    }

    /** Normalises along the last axis of {@code x} of any rank ≥ 2: flattened to rows and restored. */
    public SDVariable applyLastAxis(SDVariable x) {
        return sd.reshape(apply(x.reshape(-1, channels)), sd.shape(x));
    }
}
