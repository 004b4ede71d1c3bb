package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * NCHW feature maps to token rows and back, for the per-token blocks ({@link Linear}, {@link LayerNorm},
 * {@link MultiHeadAttention}) inside convolutional networks. Every reshape leaves the batch as {@code -1}, so one
 * graph serves any batch size.
 */
public final class ImageTokens {
    private ImageTokens() {}

    /** {@code [B, C, H, W]} → tokens {@code [B·H·W, C]} (row-major over H, W, as diffusers flattens). */
    public static SDVariable fromImage(SameDiff sd, SDVariable x, long c, long h, long w) {
        return sd.reshape(sd.permute(sd.reshape(x, -1, c, h * w), 0, 2, 1), -1, c);
    }

    /** Tokens {@code [B·H·W, C]} → {@code [B, C, H, W]}. */
    public static SDVariable toImage(SameDiff sd, SDVariable t, long c, long h, long w) {
        return sd.reshape(sd.permute(sd.reshape(t, -1, h * w, c), 0, 2, 1), -1, c, h, w);
    }
}
