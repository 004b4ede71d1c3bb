package org.sdti.dataprep.world;

import java.util.SplittableRandom;
import org.sdti.dataprep.RgbImage;

/**
 * The flaws a small diffusion model's pictures have, applied to clean world images: soft edges (Gaussian blur),
 * grain (Gaussian noise), colours a little off (a per-image, per-channel gain and offset, which moves figure and
 * ground by different amounts). Seeded, so a measurement is repeatable.
 */
final class Degrade {
    private Degrade() {
    }

    /** Separable Gaussian blur of standard deviation {@code sigma} pixels, edges clamped. */
    static RgbImage blur(RgbImage image, double sigma) {
        int radius = (int) Math.ceil(3 * sigma);
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= sum;
        }
        int w = image.width();
        int h = image.height();
        double[] pass = new double[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 0;
                    for (int k = -radius; k <= radius; k++) {
                        v += kernel[k + radius] * image.sample(Math.min(w - 1, Math.max(0, x + k)), y, c);
                    }
                    pass[(y * w + x) * 3 + c] = v;
                }
            }
        }
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    double v = 0;
                    for (int k = -radius; k <= radius; k++) {
                        v += kernel[k + radius] * pass[(Math.min(h - 1, Math.max(0, y + k)) * w + x) * 3 + c];
                    }
                    out[(y * w + x) * 3 + c] = clamp(v);
                }
            }
        }
        return RgbImage.of(w, h, out);
    }

    /** Independent Gaussian noise of standard deviation {@code sigma} (0..255 scale) on every channel. */
    static RgbImage noise(RgbImage image, double sigma, SplittableRandom random) {
        byte[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = clamp((rgb[i] & 0xFF) + sigma * gaussian(random));
        }
        return RgbImage.of(image.width(), image.height(), rgb);
    }

    /** Per channel {@code v + offset + gain (v - 128)}, offset uniform in ±{@code offset}, gain in ±{@code gain}. */
    static RgbImage colourJitter(RgbImage image, double offset, double gain, SplittableRandom random) {
        double[] o = new double[3];
        double[] g = new double[3];
        for (int c = 0; c < 3; c++) {
            o[c] = offset * (2 * random.nextDouble() - 1);
            g[c] = gain * (2 * random.nextDouble() - 1);
        }
        byte[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i++) {
            double v = rgb[i] & 0xFF;
            rgb[i] = clamp(v + o[i % 3] + g[i % 3] * (v - 128));
        }
        return RgbImage.of(image.width(), image.height(), rgb);
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, Math.round(v)));
    }
}
