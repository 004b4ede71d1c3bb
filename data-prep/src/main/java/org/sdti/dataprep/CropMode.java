package org.sdti.dataprep;

/**
 * How an image of any shape becomes a {@code size x size} training square. All modes resample with Pillow's
 * arithmetic ({@link PilResampler}).
 */
public enum CropMode {
    /**
     * The reference with {@code --center_crop} (the default here): cut the centred square of side
     * {@code min(w, h)} (offsets {@code (w - side) / 2}, {@code (h - side) / 2}, rounded down, as its numpy slice
     * does), then resize it to {@code size x size}. Keeps the aspect ratio and equals the reference pixel for pixel.
     */
    CENTER_CROP,
    /** The reference without {@code --center_crop}: the whole image resized to {@code size x size}, aspect ignored. */
    SQUASH,
    /**
     * The shorter side resized to {@code size} (the longer to {@code (int) (size * long / short)}), then the centred
     * square cut out with offsets {@code round((len - size) / 2)}, ties to even: torchvision's
     * {@code Resize(size)} + {@code CenterCrop(size)} on a PIL image.
     */
    SHORT_SIDE_CENTER,
    /**
     * As {@link #SHORT_SIDE_CENTER} but the square's offset along the longer side is drawn uniformly from every
     * position (torchvision's {@code RandomCrop}); the draw is seeded by the options' seed and the file's hash, so it
     * is the same on every run and on every executor.
     */
    SHORT_SIDE_RANDOM
}
