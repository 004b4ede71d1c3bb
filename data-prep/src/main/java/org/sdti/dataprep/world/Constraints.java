package org.sdti.dataprep.world;

/**
 * Which labels a sample must have; a null component is drawn at random. {@code NONE.withShape(STAR)
 * .withColour(RED)} asks for red stars on any background, at any size and position.
 */
public record Constraints(Shape shape, Colour colour, Colour background, Texture texture, Size size,
                          Position position) {
    public static final Constraints NONE = new Constraints(null, null, null, null, null, null);

    public Constraints {
        if (colour != null && background != null && !Contrast.enough(colour, background)) {
            throw new IllegalArgumentException("no " + colour.word() + " shape is drawn on a " + background.word()
                    + " background (colours closer than ΔE " + Contrast.MIN_DELTA_E + ")");
        }
    }

    public Constraints withShape(Shape s) {
        return new Constraints(s, colour, background, texture, size, position);
    }

    public Constraints withColour(Colour c) {
        return new Constraints(shape, c, background, texture, size, position);
    }

    public Constraints withBackground(Colour b) {
        return new Constraints(shape, colour, b, texture, size, position);
    }

    public Constraints withTexture(Texture t) {
        return new Constraints(shape, colour, background, t, size, position);
    }

    public Constraints withSize(Size s) {
        return new Constraints(shape, colour, background, texture, s, position);
    }

    public Constraints withPosition(Position p) {
        return new Constraints(shape, colour, background, texture, size, p);
    }
}
