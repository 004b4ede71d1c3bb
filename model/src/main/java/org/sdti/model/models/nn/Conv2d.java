package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * PyTorch's {@code Conv2d} (square kernel, symmetric zero padding, with bias) on NCHW tensors. Weights in YXIO
 * layout ({@link ParamStore#convWeight}): SameDiff's conv2d backprop is wrong for OIYX weights.
 */
public record Conv2d(String name, int kernel, int stride, int padding) {

    /** The usual "same size" conv: stride 1, padding k/2. */
    public static Conv2d same(String name, int kernel) {
        return new Conv2d(name, kernel, 1, kernel / 2);
    }

    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable x) {
        return apply(sd, p, x, false);
    }

    /**
     * @param channelsLast {@code x} is NHWC: oneDNN convolves it ~10-35% faster than NCHW at 64²-256² (it
     *     reorders NCHW into its own layout on every call); the YXIO weights serve both layouts
     */
    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable x, boolean channelsLast) {
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(kernel).kW(kernel)
                .sH(stride).sW(stride)
                .pH(padding).pW(padding)
                .dH(1).dW(1)
                .paddingMode(PaddingMode.VALID)
                .dataFormat(channelsLast ? "NHWC" : "NCHW")
                .weightsFormat(WeightsFormat.YXIO)
                .build();
        return sd.cnn().conv2d(x, p.convWeightConstant(sd, name + ".weight"), p.constant(sd, name + ".bias"), cfg);
    }
}
