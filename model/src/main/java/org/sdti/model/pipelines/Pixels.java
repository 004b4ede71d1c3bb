package org.sdti.model.pipelines;

/**
 * VAE output to pixels as diffusers' VaeImageProcessor does it, in float32: {@code (x / 2 + 0.5).clamp(0, 1)},
 * channels last, then 8 bits as {@code (p * 255).round()} with numpy's round-half-to-even.
 */
final class Pixels {
    private Pixels() {}

    /** One decoded image {@code [3, H, W]} (flat) to {@code [H, W, 3]} values in [0, 1]. */
    static float[] denormalize(float[] chw, int height, int width) {
        int plane = height * width;
        float[] hwc = new float[plane * 3];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                float v = chw[c * plane + p] / 2f + 0.5f;
                // clamp as torch does; NaN stays NaN here and becomes 0 in toRgb
                hwc[p * 3 + c] = v < 0f ? 0f : (v > 1f ? 1f : v);
            }
        }
        return hwc;
    }

    /** {@code [H, W, 3]} values in [0, 1] to 8-bit RGB. */
    static RgbImage toRgb(float[] hwc, int height, int width) {
        byte[] rgb = new byte[hwc.length];
        for (int i = 0; i < hwc.length; i++) {
            float v = hwc[i] * 255f;
            rgb[i] = (byte) (Float.isNaN(v) ? 0 : (int) Math.rint(v));
        }
        return new RgbImage(width, height, rgb);
    }
}
