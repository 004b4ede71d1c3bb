package org.sdti.dataprep;

/**
 * The resampling kernels Pillow's {@code Image.resize} offers and the reference's dataset accepts
 * ({@code interpolation="bicubic"} by default, also "linear"/"bilinear" and "lanczos"). Each is the kernel of
 * Pillow's {@code libImaging/Resample.c} with its support radius at scale 1.
 */
public enum ResampleFilter {
    /** Keys' cubic convolution with a = -0.5, support 2: Pillow's {@code BICUBIC}. */
    BICUBIC(2.0) {
        @Override
        double weight(double x) {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    },
    /** Triangle, support 1: Pillow's {@code BILINEAR}. */
    BILINEAR(1.0) {
        @Override
        double weight(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** sinc(x)·sinc(x/3) on [-3, 3), support 3: Pillow's {@code LANCZOS}. */
    LANCZOS(3.0) {
        @Override
        double weight(double x) {
            return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        }
    };

    private final double support;

    ResampleFilter(double support) {
        this.support = support;
    }

    /** The kernel's radius in source pixels when not downscaling; downscaling by s widens it to s times this. */
    public double support() {
        return support;
    }

    /** The kernel's value at distance {@code x} (in output-pixel units). */
    abstract double weight(double x);

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x = x * Math.PI;
        return Math.sin(x) / x;
    }
}
