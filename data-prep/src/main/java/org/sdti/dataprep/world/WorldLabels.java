package org.sdti.dataprep.world;

import java.util.Objects;

/** The ground truth of one world image: what is drawn, in which colours, how large and where. */
public record WorldLabels(Shape shape, Colour colour, Colour background, Texture texture, Size size,
                          Position position) {
    public WorldLabels {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(background, "background");
        Objects.requireNonNull(texture, "texture");
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(position, "position");
        if (!Contrast.enough(colour, background)) {
            throw new IllegalArgumentException("a " + colour.word() + " shape on a " + background.word()
                    + " background is too faint: the world pairs only colours at least ΔE "
                    + Contrast.MIN_DELTA_E + " apart");
        }
    }
}
