package org.sdti.dataprep.world;

/**
 * The world's palette. Each name is one token of the SD 2 (CLIP) vocabulary ({@code red</w>}), so a caption spends
 * exactly one text-encoder position per colour. The sRGB values were chosen far apart in CIELAB: the closest pair
 * (red, orange) is ΔE76 46, so a small diffusion model's slightly-off colours still land nearest the one it meant.
 */
public enum Colour {
    RED(220, 30, 30),
    ORANGE(250, 140, 10),
    YELLOW(250, 230, 40),
    GREEN(30, 160, 50),
    BLUE(20, 100, 245),
    PURPLE(140, 30, 150),
    PINK(250, 150, 210),
    BROWN(125, 75, 30),
    WHITE(245, 245, 245),
    BLACK(15, 15, 15);

    private final int r;
    private final int g;
    private final int b;
    private final Lab lab;

    Colour(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
        this.lab = Lab.ofSrgb(r, g, b);
    }

    /** The caption word, e.g. {@code "red"}. */
    public String word() {
        return Words.word(this);
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue), 0..255. */
    public int channel(int c) {
        return switch (c) {
            case 0 -> r;
            case 1 -> g;
            case 2 -> b;
            default -> throw new IllegalArgumentException("channel " + c);
        };
    }

    public Lab lab() {
        return lab;
    }

    /** The palette colour nearest {@code lab} (CIELAB ΔE76). */
    public static Colour nearest(Lab lab) {
        Colour best = null;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (Colour c : values()) {
            double d = c.lab.distance(lab);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best;
    }

    /** The colour whose {@link #word()} is {@code word}. */
    public static Colour ofWord(String word) {
        return Words.parse(Colour.class, "colour", word);
    }
}
