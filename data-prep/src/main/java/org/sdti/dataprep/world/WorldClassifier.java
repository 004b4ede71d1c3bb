package org.sdti.dataprep.world;

import java.util.Optional;
import org.sdti.dataprep.RgbImage;

/**
 * Reads a world image back into labels: the background's colour, the figure's colour and its shape. Deterministic
 * and stateless (thread-safe), for any square image the world draws (32 or 64 px), and built for the imperfect
 * pictures a small diffusion model makes: colours are named by the nearest palette entry in CIELAB (a colour a
 * little off still lands on its name), the figure is a soft mask (blurred edges count partly) and shapes are
 * recognised by fitting each template's size and position to the mask ({@link ShapeMatcher}).
 * See {@link FigureGround} for how figure and ground are told apart.
 */
public final class WorldClassifier {
    public WorldClassifier() {
    }

    public WorldReading classify(RgbImage image) {
        if (image.width() != image.height()) {
            throw new IllegalArgumentException("world images are square, got " + image.width() + "x" + image.height());
        }
        FigureGround split = FigureGround.of(image);
        if (split.figure().isEmpty()) {
            return WorldReading.backgroundOnly(split.background());
        }
        ShapeMatcher.Fit fit = ShapeMatcher.best(split.alpha(), image.width());
        return new WorldReading(split.background(), split.figure(), Optional.of(fit.shape()), fit.overlap());
    }
}
