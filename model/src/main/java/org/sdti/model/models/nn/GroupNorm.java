package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * PyTorch's {@code GroupNorm} (affine) on {@code [B, C, H, W]}; ND4J has no group-norm op, so each group's
 * {@code C/G·H·W} values become one row for {@link LayerNorm#standardizeRows} (biased variance,
 * {@code 1/√(var+eps)}), then per-channel γ, β.
 */
public record GroupNorm(String name, int channels, int groups, double eps) {

    public GroupNorm {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(name + ": " + channels + " channels do not split into " + groups
                    + " groups");
        }
    }

    public SDVariable apply(SameDiff sd, UNetOps.Params p, SDVariable x, long h, long w) {
        SDVariable rows = sd.reshape(x, -1, (long) channels / groups * h * w); // one row per (sample, group)
        SDVariable normed = sd.reshape(LayerNorm.standardizeRows(sd, rows, eps), -1, channels, h, w);
        return normed.mul(p.get(sd, name + ".weight", 1, channels, 1, 1))
                .add(p.get(sd, name + ".bias", 1, channels, 1, 1));
    }
}
