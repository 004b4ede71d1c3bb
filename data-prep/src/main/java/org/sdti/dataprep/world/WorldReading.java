package org.sdti.dataprep.world;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link WorldClassifier} sees in an image: the background colour, and when a figure stands out from it, the
 * figure's colour and the shape it fits best with how well (soft intersection over union, 0..1).
 */
public record WorldReading(Colour background, Optional<Colour> colour, Optional<Shape> shape, double fit) {
    public WorldReading {
        Objects.requireNonNull(background, "background");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(shape, "shape");
    }

    static WorldReading backgroundOnly(Colour background) {
        return new WorldReading(background, Optional.empty(), Optional.empty(), 0);
    }

    /** Whether the figure has this colour and this shape: a hit for a prompt asking for them. */
    public boolean shows(Colour c, Shape s) {
        return colour.equals(Optional.of(c)) && shape.equals(Optional.of(s));
    }
}
