package org.sdti.dataprep;

import java.util.Objects;
import java.util.Optional;

/**
 * One training example: a {@code resolution x resolution} RGB square from one source file, as is or mirrored.
 *
 * @param concept      the concept it belongs to
 * @param source       the file's name as listed
 * @param sha256       lower-case hex SHA-256 of the file's bytes: identifies the picture whatever its name
 * @param variant      original or horizontally flipped
 * @param pixels       the square, 8-bit RGB
 * @param caption      the text of the {@code .txt} beside the file, whitespace-normalised, if there is one
 * @param sourceWidth  width of the upright decoded picture, before framing
 * @param sourceHeight its height
 */
public record PreparedImage(String concept, String source, String sha256, Variant variant, RgbImage pixels,
                            Optional<String> caption, int sourceWidth, int sourceHeight) {
    public enum Variant { ORIGINAL, FLIPPED }

    public PreparedImage {
        Objects.requireNonNull(concept, "concept");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(caption, "caption");
    }

    /** Stable across runs and file renames: the content hash plus the variant. */
    public String id() {
        return sha256 + (variant == Variant.FLIPPED ? ":flipped" : ":original");
    }

    /** The reference's network input: CHW float32 in [-1, 1], {@code pixels / 127.5 - 1}. */
    public float[] toChwFloats() {
        return pixels.toChwFloats();
    }
}
