package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * diffusers' {@code Downsample2D} with a conv: 3×3, stride 2. With {@code padding == 0} (the VAE encoder) diffusers
 * first pads right and bottom by one, so the output is exactly half the input either way.
 */
public record Downsample2D(String name, int padding) {

    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable x) {
        SDVariable in = x;
        if (padding == 0) {
            SDVariable pads = sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, 1}, {0, 1}}));
            in = sd.nn().pad(x, pads, PadMode.CONSTANT, 0.0);
        }
        return new Conv2d(name + ".conv", 3, 2, padding).apply(sd, p, in);
    }
}
