package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * diffusers' {@code ResnetBlock2D} with the "default" time-embedding norm: GroupNorm → SiLU → conv1 (+ projected
 * time embedding) → GroupNorm → SiLU → conv2, plus the input (through a 1×1 {@code conv_shortcut} when the channel
 * count changes), divided by {@code outputScale}. Dropout is inference-off / 0 in SD and omitted.
 *
 * @param timeEmbedding whether the block has {@code time_emb_proj} (U-Net: yes, VAE: no)
 * @param forwardOnly the block is never differentiated (VAE): its norms use {@link GroupNorm}'s forward-only form
 * @param channelsLast {@code x} is NHWC (forward-only blocks without time embedding only)
 */
public record ResnetBlock2D(String name, int in, int out, int groups, double eps, boolean timeEmbedding,
                            double outputScale, boolean forwardOnly, boolean channelsLast) {

    public ResnetBlock2D {
        if (channelsLast && (!forwardOnly || timeEmbedding)) {
            throw new IllegalArgumentException(name + ": channels-last blocks are forward-only, without time embedding");
        }
    }

    /** A block that gradients may flow through. */
    public ResnetBlock2D(String name, int in, int out, int groups, double eps, boolean timeEmbedding,
                         double outputScale) {
        this(name, in, out, groups, eps, timeEmbedding, outputScale, false, false);
    }

    /**
     * @param tembAct SiLU of the time embedding {@code [B, T]} (shared by all blocks), or null when
     *     {@link #timeEmbedding} is false
     */
    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable x, SDVariable tembAct, long h, long w) {
        SDVariable y = new GroupNorm(name + ".norm1", in, groups, eps, forwardOnly, channelsLast).apply(sd, p, x, h, w);
        y = Conv2d.same(name + ".conv1", 3).apply(sd, p, sd.nn().swish(y), channelsLast);
        if (timeEmbedding) {
            SDVariable t = Linear.of(sd, p, name + ".time_emb_proj").apply(tembAct);
            y = y.add(sd.reshape(t, -1, out, 1, 1));
        }
        y = new GroupNorm(name + ".norm2", out, groups, eps, forwardOnly, channelsLast).apply(sd, p, y, h, w);
        y = Conv2d.same(name + ".conv2", 3).apply(sd, p, sd.nn().swish(y), channelsLast);
        SDVariable shortcut = in != out ? new Conv2d(name + ".conv_shortcut", 1, 1, 0).apply(sd, p, x, channelsLast) : x;
        SDVariable sum = shortcut.add(y);
        return outputScale == 1.0 ? sum : sum.div(outputScale);
    }
}
