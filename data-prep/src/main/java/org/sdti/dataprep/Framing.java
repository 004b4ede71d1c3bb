package org.sdti.dataprep;

import java.util.random.RandomGenerator;

/** Brings a decoded picture to the training square, in one of the {@link CropMode}s. */
public final class Framing {
    private Framing() {
    }

    /**
     * The {@code size x size} training square of {@code image}. {@code random} is read only by
     * {@link CropMode#SHORT_SIDE_RANDOM}, and only when the picture is not already square after resizing.
     */
    public static RgbImage frame(RgbImage image, int size, CropMode mode, ResampleFilter filter,
                                 RandomGenerator random) {
        int w = image.width();
        int h = image.height();
        return switch (mode) {
            case SQUASH -> PilResampler.resize(image, size, size, filter);
            case CENTER_CROP -> {
                int side = Math.min(w, h);
                RgbImage square = image.crop((w - side) / 2, (h - side) / 2, side, side);
                yield PilResampler.resize(square, size, size, filter);
            }
            case SHORT_SIDE_CENTER, SHORT_SIDE_RANDOM -> {
                int[] wh = shortSideSize(w, h, size);
                RgbImage resized = PilResampler.resize(image, wh[0], wh[1], filter);
                int spareX = wh[0] - size;
                int spareY = wh[1] - size;
                if (mode == CropMode.SHORT_SIDE_CENTER) {
                    yield resized.crop(centerOffset(spareX), centerOffset(spareY), size, size);
                }
                int left = spareX > 0 ? random.nextInt(spareX + 1) : 0;
                int top = spareY > 0 ? random.nextInt(spareY + 1) : 0;
                yield resized.crop(left, top, size, size);
            }
        };
    }

    /** torchvision's {@code Resize(size)}: the shorter side becomes {@code size}, the longer is truncated. */
    static int[] shortSideSize(int w, int h, int size) {
        if (w <= h) {
            return new int[] {size, (int) ((double) size * h / w)};
        }
        return new int[] {(int) ((double) size * w / h), size};
    }

    /** torchvision's {@code CenterCrop} offset, {@code int(round(spare / 2.0))}: Python rounds ties to even. */
    static int centerOffset(int spare) {
        return (int) Math.rint(spare / 2.0);
    }
}
