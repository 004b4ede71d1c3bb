package org.sdti.dataprep.world;

import java.util.Arrays;
import java.util.List;

/**
 * Which colours a shape may be drawn on. Pairs closer than {@link #MIN_DELTA_E} (red on orange, blue on purple and
 * purple on pink) are left out: a small model would blur them into one blob.
 */
public final class Contrast {
    /** Smallest CIELAB distance between a shape and its background. */
    public static final double MIN_DELTA_E = 50;

    private Contrast() {
    }

    public static boolean enough(Colour shape, Colour background) {
        return shape.lab().distance(background.lab()) >= MIN_DELTA_E;
    }

    /** The backgrounds a shape of this colour is drawn on, in palette order. */
    public static List<Colour> backgroundsFor(Colour shape) {
        return Arrays.stream(Colour.values()).filter(b -> enough(shape, b)).toList();
    }
}
