package org.sdti.dataprep;

import java.util.Objects;

/**
 * How concept images become training examples.
 *
 * @param resolution   side of the training square (the reference's {@code --resolution}: 512, or 768 for SD 2 768-v)
 * @param cropMode     how the square is taken; default {@link CropMode#CENTER_CROP}
 * @param filter       resampling kernel; default {@link ResampleFilter#BICUBIC}, the reference's
 * @param flips        also emit every example mirrored (the reference flips with p = 0.5 on each draw; latents are
 *                     encoded once here, so both variants are kept and the trainer samples between them)
 * @param minShortSide pictures whose shorter side is below this are rejected as too small
 * @param maxPixels    pictures with more pixels are rejected before their pixels are decoded
 * @param seed         seeds {@link CropMode#SHORT_SIDE_RANDOM} (together with each file's hash)
 */
public record PrepareOptions(int resolution, CropMode cropMode, ResampleFilter filter, boolean flips,
                             int minShortSide, long maxPixels, long seed) {
    /** 64 megapixels: an 8000 x 8000 scan, already ~256 MB decoded; far beyond what a 512/768 square needs. */
    public static final long DEFAULT_MAX_PIXELS = 64_000_000L;

    public PrepareOptions {
        Objects.requireNonNull(cropMode, "cropMode");
        Objects.requireNonNull(filter, "filter");
        if (resolution < 8 || resolution > 4096) {
            throw new IllegalArgumentException("resolution must be between 8 and 4096: " + resolution);
        }
        if (minShortSide < 1) {
            throw new IllegalArgumentException("minShortSide must be at least 1: " + minShortSide);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
        }
    }

    /**
     * Centre crop, bicubic, flips on, minimum shorter side {@code resolution / 2} (a picture upscaled more than
     * twice is mostly blur), {@link #DEFAULT_MAX_PIXELS}, seed 0.
     */
    public static PrepareOptions defaults(int resolution) {
        return new PrepareOptions(resolution, CropMode.CENTER_CROP, ResampleFilter.BICUBIC, true,
                Math.max(1, resolution / 2), DEFAULT_MAX_PIXELS, 0L);
    }

    public PrepareOptions withCropMode(CropMode mode) {
        return new PrepareOptions(resolution, mode, filter, flips, minShortSide, maxPixels, seed);
    }

    public PrepareOptions withFilter(ResampleFilter f) {
        return new PrepareOptions(resolution, cropMode, f, flips, minShortSide, maxPixels, seed);
    }

    public PrepareOptions withFlips(boolean on) {
        return new PrepareOptions(resolution, cropMode, filter, on, minShortSide, maxPixels, seed);
    }

    public PrepareOptions withMinShortSide(int min) {
        return new PrepareOptions(resolution, cropMode, filter, flips, min, maxPixels, seed);
    }

    public PrepareOptions withMaxPixels(long max) {
        return new PrepareOptions(resolution, cropMode, filter, flips, minShortSide, max, seed);
    }

    public PrepareOptions withSeed(long s) {
        return new PrepareOptions(resolution, cropMode, filter, flips, minShortSide, maxPixels, s);
    }
}
