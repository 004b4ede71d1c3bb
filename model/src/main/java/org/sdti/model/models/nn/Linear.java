package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PyTorch {@code nn.Linear} ({@code prefix.weight} {@code [out, in]}, optional {@code prefix.bias}) as
 * {@code x·W + b}, with W held as a frozen {@code [in, out]} constant.
 */
public record Linear(SameDiff sd, SDVariable weight, SDVariable bias, long in, long out) {

    public static Linear of(SameDiff sd, ParamStore params, String prefix) {
        long[] s = params.layout().shape(prefix + ".weight");
        SDVariable w = params.linearWeightConstant(sd, prefix + ".weight");
        SDVariable b = params.has(prefix + ".bias") ? params.constant(sd, prefix + ".bias") : null;
        return new Linear(sd, w, b, s[1], s[0]);
    }

    /** {@code [n, in] -> [n, out]}: the fast path for token matrices. */
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
