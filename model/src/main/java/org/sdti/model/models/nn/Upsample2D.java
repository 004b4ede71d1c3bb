package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** diffusers' {@code Upsample2D} with a conv: nearest-neighbour 2× upsampling, then a 3×3 conv. */
public record Upsample2D(String name) {

    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable x) {
        return apply(sd, p, x, false);
    }

    /** @param channelsLast {@code x} is NHWC (see {@link Conv2d#apply(SameDiff, ParamStore, SDVariable, boolean)}) */
    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable x, boolean channelsLast) {
        SDVariable up = sd.cnn().upsampling2d(x, 2, 2, !channelsLast);
        return Conv2d.same(name + ".conv", 3).apply(sd, p, up, channelsLast);
    }
}
