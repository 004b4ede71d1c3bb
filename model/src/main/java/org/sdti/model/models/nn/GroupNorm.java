package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * PyTorch's {@code GroupNorm} (affine) on {@code [B, C, H, W]}, composed from reshape/mean ops because ND4J has no
 * group-norm op: statistics over each group's {@code C/G·H·W} values, biased variance, {@code 1/√(var+eps)}.
 */
public record GroupNorm(String name, int channels, int groups, double eps) {

    public GroupNorm {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups
                    + " groups");
        }
    }

    public SDVariable apply(SameDiff sd, UNetOps.Params p, SDVariable x, long h, long w) {
        SDVariable g = sd.reshape(x, -1, groups, (long) channels / groups * h * w);
        SDVariable centred = g.sub(g.mean(true, 2));
        SDVariable var = sd.math().square(centred).mean(true, 2);
        SDVariable normed = sd.reshape(centred.mul(sd.math().rsqrt(var.add(eps))), -1, channels, h, w);
        SDVariable gamma = sd.reshape(p.get(sd, name + ".weight"), 1, channels, 1, 1);
        SDVariable beta = sd.reshape(p.get(sd, name + ".bias"), 1, channels, 1, 1);
        return normed.mul(gamma).add(beta);
    }
}
