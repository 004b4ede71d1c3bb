package org.sdti.dataprep.world;

/**
 * How large a shape is drawn: its radius (half its bounding box) as a fraction of the image side. Small stays
 * about 12 px across at 32 px, so a star's points and a ring's hole survive a blurry rendering.
 */
public enum Size {
    SMALL(0.19),
    MEDIUM(0.27),
    LARGE(0.36);

    private final double radius;

    Size(double radius) {
        this.radius = radius;
    }

    /** Radius over image side, before the generator's ±6 % jitter. */
    public double radius() {
        return radius;
    }

    public String word() {
        return Words.word(this);
    }

    public static Size ofWord(String word) {
        return Words.parse(Size.class, "size", word);
    }
}
