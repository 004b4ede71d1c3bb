package org.sdti.dataprep;

import java.util.Arrays;

/**
 * An immutable 8-bit RGB picture, rows top to bottom, pixels interleaved {@code r g b} (PIL's mode "RGB" and
 * numpy's {@code HWC uint8}). The pixel array never leaves this class unshared: {@link #rgb()} hands out a copy.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    private RgbImage(int width, int height, byte[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** Copies {@code rgb} ({@code width * height * 3} bytes, HWC). */
    public static RgbImage of(int width, int height, byte[] rgb) {
        checkSize(width, height);
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException(
                    "expected " + (long) width * height * 3 + " bytes for " + width + "x" + height + ", got " + rgb.length);
        }
        return new RgbImage(width, height, rgb.clone());
    }

    /** Takes ownership of a freshly filled array; package-private so that only our own producers skip the copy. */
    static RgbImage wrap(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb);
    }

    static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height * 3 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("unsupported image size " + width + "x" + height);
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Channel {@code c} (0 = red, 1 = green, 2 = blue) of pixel (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** A copy of the pixels, HWC. */
    public byte[] rgb() {
        return rgb.clone();
    }

    /** The shared array, for readers in this package that promise not to write it. */
    byte[] pixels() {
        return rgb;
    }

    /** The region {@code [left, left + w) x [top, top + h)}; it must lie inside the image. */
    public RgbImage crop(int left, int top, int w, int h) {
        checkSize(w, h);
        if (left < 0 || top < 0 || left + w > width || top + h > height) {
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + left + "+" + top
                    + " outside " + width + "x" + height);
        }
        if (left == 0 && top == 0 && w == width && h == height) {
            return this;
        }
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Mirrored left to right (PIL's {@code FLIP_LEFT_RIGHT}, torchvision's horizontal flip). */
    public RgbImage flipHorizontal() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            int row = y * width * 3;
            for (int x = 0; x < width; x++) {
                System.arraycopy(rgb, row + x * 3, out, row + (width - 1 - x) * 3, 3);
            }
        }
        return new RgbImage(width, height, out);
    }

    /**
     * Channels-first floats in [-1, 1], {@code [3][height][width]} flattened: the reference's
     * {@code (pixels / 127.5 - 1.0).astype(float32)} (computed in double, then rounded once to float, as numpy does).
     */
    public float[] toChwFloats() {
        int plane = width * height;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + i] = (float) ((rgb[i * 3 + c] & 0xFF) / 127.5 - 1.0);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && other.width == width && other.height == height
                && Arrays.equals(other.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
