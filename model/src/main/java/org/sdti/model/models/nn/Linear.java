package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch {@code nn.Linear} as {@code x·W + b}, with W a frozen {@code [in, out]} constant and b optional.
 *
 * @param weight {@code [in, out]}
 * @param bias {@code [out]} or null
 */
public record Linear(SameDiff sd, SDVariable weight, SDVariable bias, long in, long out) {

    /** The PyTorch Linear {@code prefix.weight} {@code [out, in]} and, if the layout has it, {@code prefix.bias}. */
    public static Linear of(SameDiff sd, ParamStore params, String prefix) {
        long[] s = params.shape(prefix + ".weight");
        SDVariable w = params.linearWeightConstant(sd, prefix + ".weight");
        SDVariable b = params.has(prefix + ".bias") ? params.constant(sd, prefix + ".bias") : null;
        return new Linear(sd, w, b, s[1], s[0]);
    }

    /**
     * {@code [n, in] -> [n, out]}: the fast path for token matrices. Not ND4J's fused {@code xw_plus_b}
     * ({@code sd.nn().linear}): inside larger graphs it is handed recycled output arrays flagged 'f' with 'c'
     * strides and writes them in the wrong order (M2.1).
     */
    public SDVariable apply(SDVariable x) {
        SDVariable y = x.mmul(weight);
        return bias == null ? y : y.add(bias);
    }

    /**
     * {@code [..., in] -> [..., out]} for any rank of at least 2. ND4J's matmul wants equal ranks and tensormmul's
     * backward is broken, so the leading axes are flattened into rows and restored from {@code x}'s runtime shape.
     */
    public SDVariable applyLastAxis(SDVariable x) {
        SDVariable leading = sd.stridedSlice(sd.shape(x), new long[] {0}, new long[] {-1}, new long[] {1});
        SDVariable shape = sd.concat(0, leading, sd.constant(Nd4j.createFromArray(out)));
        return sd.reshape(apply(x.reshape(-1, in)), shape);
    }
}
