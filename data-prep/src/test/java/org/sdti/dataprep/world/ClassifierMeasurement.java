package org.sdti.dataprep.world;

import java.util.SplittableRandom;
import org.sdti.dataprep.RgbImage;

/**
 * The classifier read against ground truth over samples {@code 0 .. count-1} of a seed, each passed through a
 * {@link Distortion} first: colour, shape and background confusion tables.
 */
final class ClassifierMeasurement {
    /** What is done to a clean sample before it is read (the random stream is the sample's own). */
    interface Distortion {
        RgbImage apply(World world, WorldSample sample, SplittableRandom random);
    }

    final Confusion<Colour> colour = new Confusion<>(Colour.values());
    final Confusion<Shape> shape = new Confusion<>(Shape.values());
    final Confusion<Colour> background = new Confusion<>(Colour.values());

    static ClassifierMeasurement run(World world, long seed, int count, Distortion distortion) {
        WorldClassifier classifier = new WorldClassifier();
        ClassifierMeasurement m = new ClassifierMeasurement();
        for (int i = 0; i < count; i++) {
            WorldSample s = world.sample(seed, i);
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            WorldReading r = classifier.classify(distortion.apply(world, s, random));
            m.colour.add(s.labels().colour(), r.colour().orElse(null));
            m.shape.add(s.labels().shape(), r.shape().orElse(null));
            m.background.add(s.labels().background(), r.background());
        }
        return m;
    }

    String report(String title) {
        return colour.table(title + ", colour") + shape.table(title + ", shape")
                + background.table(title + ", background");
    }

    /** The degradations the classifier is measured under, sized for a 32-px image and scaled with the side. */
    static Distortion clean() {
        return (w, s, r) -> s.image();
    }

    static Distortion blur(double sigmaAt32) {
        return (w, s, r) -> Degrade.blur(s.image(), sigmaAt32 * w.side() / 32.0);
    }

    static Distortion noise(double sigma) {
        return (w, s, r) -> Degrade.noise(s.image(), sigma, r);
    }

    static Distortion colourJitter(double offset, double gain) {
        return (w, s, r) -> Degrade.colourJitter(s.image(), offset, gain, r);
    }

    /** Drawn 15 % smaller or larger than the world's own jitter allows. */
    static Distortion offSize() {
        return (w, s, r) -> w.render(s.labels(), s.placement().scaled(r.nextBoolean() ? 0.85 : 1.15));
    }

    /** All at once, milder: size ±10 %, colour jitter, blur, then grain. */
    static Distortion combined() {
        return (w, s, r) -> {
            RgbImage drawn = w.render(s.labels(), s.placement().scaled(0.9 + 0.2 * r.nextDouble()));
            RgbImage off = Degrade.colourJitter(drawn, 15, 0.08, r);
            return Degrade.noise(Degrade.blur(off, 0.7 * w.side() / 32.0), 8, r);
        };
    }
}
