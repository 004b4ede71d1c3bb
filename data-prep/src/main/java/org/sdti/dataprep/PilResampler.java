package org.sdti.dataprep;

/**
 * Pillow's {@code Image.resize(size, filter)} for 8-bit RGB, bit for bit: a separable convolution, horizontal pass
 * first (only over the rows the vertical pass reads), then vertical. Per output pixel the kernel is centred on the
 * source position {@code (i + 0.5) * scale}, widened by the downscale factor (so downscaling antialiases), its
 * weights normalised to sum 1 and then rounded to fixed point with 22 fractional bits; each pass adds half a unit,
 * shifts and clamps to 0..255, so the intermediate image is rounded to uint8 exactly as Pillow's is.
 *
 * <p>Only the default box (the whole image) and no {@code reducing_gap}: that is what the reference calls.
 */
public final class PilResampler {
    /** 32 bits minus 8 for the pixel minus 2 for overshoot (negative lobes, sums above 1): Pillow's choice. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResampler() {
    }

    /** The image resized to {@code width x height}; the same size returns the image itself (Pillow copies). */
    public static RgbImage resize(RgbImage in, int width, int height, ResampleFilter filter) {
        RgbImage.checkSize(width, height);
        boolean horizontal = width != in.width();
        boolean vertical = height != in.height();
        if (!horizontal && !vertical) {
            return in;
        }
        Taps rows = Taps.of(in.height(), height, filter);
        // rows of the source the vertical pass reads: the horizontal pass needs to produce no others
        int firstRow = rows.start[0];
        int endRow = rows.start[height - 1] + rows.count[height - 1];
        RgbImage mid = in;
        int rowOffset = 0;
        if (horizontal) {
            mid = horizontalPass(in, Taps.of(in.width(), width, filter), firstRow, endRow);
            rowOffset = firstRow;
        }
        return vertical ? verticalPass(mid, rows, rowOffset) : mid;
    }

    private static RgbImage horizontalPass(RgbImage in, Taps taps, int firstRow, int endRow) {
        byte[] src = in.pixels();
        int inW = in.width();
        int outW = taps.outSize;
        int rows = endRow - firstRow;
        byte[] out = new byte[outW * rows * 3];
        for (int y = 0; y < rows; y++) {
            int srcRow = (y + firstRow) * inW * 3;
            int dstRow = y * outW * 3;
            for (int x = 0; x < outW; x++) {
                int k0 = x * taps.ksize;
                int base = srcRow + taps.start[x] * 3;
                int r = Taps.HALF;
                int g = Taps.HALF;
                int b = Taps.HALF;
                for (int i = 0, n = taps.count[x]; i < n; i++) {
                    int k = taps.weights[k0 + i];
                    int p = base + i * 3;
                    r += (src[p] & 0xFF) * k;
                    g += (src[p + 1] & 0xFF) * k;
                    b += (src[p + 2] & 0xFF) * k;
                }
                out[dstRow + x * 3] = clip8(r);
                out[dstRow + x * 3 + 1] = clip8(g);
                out[dstRow + x * 3 + 2] = clip8(b);
            }
        }
        return RgbImage.wrap(outW, rows, out);
    }

    /** {@code rowOffset}: the source row that row 0 of {@code in} stands for (non-zero after a horizontal pass). */
    private static RgbImage verticalPass(RgbImage in, Taps taps, int rowOffset) {
        byte[] src = in.pixels();
        int w = in.width();
        int outH = taps.outSize;
        byte[] out = new byte[w * outH * 3];
        for (int y = 0; y < outH; y++) {
            int k0 = y * taps.ksize;
            int first = taps.start[y] - rowOffset;
            int n = taps.count[y];
            for (int x = 0; x < w; x++) {
                int r = Taps.HALF;
                int g = Taps.HALF;
                int b = Taps.HALF;
                for (int i = 0; i < n; i++) {
                    int k = taps.weights[k0 + i];
                    int p = ((first + i) * w + x) * 3;
                    r += (src[p] & 0xFF) * k;
                    g += (src[p + 1] & 0xFF) * k;
                    b += (src[p + 2] & 0xFF) * k;
                }
                int o = (y * w + x) * 3;
                out[o] = clip8(r);
                out[o + 1] = clip8(g);
                out[o + 2] = clip8(b);
            }
        }
        return RgbImage.wrap(w, outH, out);
    }

    /** Drops the fraction (arithmetic shift, as Pillow's lookup index) and clamps to 0..255. */
    static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** The fixed-point kernel of one axis: for output i, {@code count[i]} weights starting at source {@code start[i]}. */
    static final class Taps {
        static final int HALF = 1 << (PRECISION_BITS - 1);
        final int outSize;
        final int ksize;
        final int[] start;
        final int[] count;
        final int[] weights;

        private Taps(int outSize, int ksize) {
            this.outSize = outSize;
            this.ksize = ksize;
            this.start = new int[outSize];
            this.count = new int[outSize];
            this.weights = new int[outSize * ksize];
        }

        static Taps of(int inSize, int outSize, ResampleFilter filter) {
            // Pillow computes the box extent in float and everything after in double; for a whole-image box
            // the float difference is exact, so inSize / outSize in double is the same number.
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            Taps t = new Taps(outSize, ksize);
            double[] w = new double[ksize];
            double inverse = 1.0 / filterScale;   // Pillow multiplies by the reciprocal: keep that rounding
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                // (int) truncates toward zero, like C's cast; both ends are then clamped to the image
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                int n = max - min;
                double sum = 0.0;
                for (int j = 0; j < n; j++) {
                    w[j] = filter.weight(((j + min) - center + 0.5) * inverse);
                    sum += w[j];
                }
                for (int j = 0; j < n; j++) {
                    double v = sum != 0.0 ? w[j] / sum : w[j];
                    t.weights[i * ksize + j] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS)
                            : 0.5 + v * (1 << PRECISION_BITS));
                }
                t.start[i] = min;
                t.count[i] = n;
            }
            return t;
        }
    }
}
