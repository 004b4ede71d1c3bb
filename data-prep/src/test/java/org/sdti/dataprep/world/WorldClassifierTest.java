package org.sdti.dataprep.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.RgbImage;

/**
 * The classifier against ground truth on freshly generated images: seed {@link #FRESH} was not used while the
 * classifier was designed and tuned (that was seed 7). Confusion tables go to standard output.
 */
class WorldClassifierTest {
    private static final long FRESH = 20261207L;

    @Test
    void cleanImagesAt32PxAreReadRight() {
        ClassifierMeasurement m = ClassifierMeasurement.run(World.standard(), FRESH, 300,
                ClassifierMeasurement.clean());
        System.out.print(m.report("clean 32 px, 300 images"));
        assertTrue(m.colour.accuracy() >= 0.98, m.colour.table("colour"));
        assertTrue(m.shape.accuracy() >= 0.95, m.shape.table("shape"));
        assertTrue(m.background.accuracy() >= 0.98, m.background.table("background"));
    }

    @Test
    void cleanImagesAt64PxAreReadRight() {
        ClassifierMeasurement m = ClassifierMeasurement.run(World.of(64), FRESH + 1, 60,
                ClassifierMeasurement.clean());
        System.out.print(m.report("clean 64 px, 60 images"));
        assertTrue(m.colour.accuracy() >= 0.98, m.colour.table("colour"));
        assertTrue(m.shape.accuracy() >= 0.95, m.shape.table("shape"));
    }

    /**
     * The flaws of a small model's pictures, one at a time and together, each kept within what a person still
     * names the same way. Bounds are below the measured figures (see docs/world.md) so a regression shows.
     */
    @Test
    void degradedImagesAreMostlyReadRight() {
        World world = World.standard();
        record Case(String name, ClassifierMeasurement.Distortion distortion) {
        }
        for (Case c : new Case[] {
                new Case("blur sigma 0.7 px", ClassifierMeasurement.blur(0.7)),
                new Case("noise sigma 12", ClassifierMeasurement.noise(12)),
                new Case("colour jitter", ClassifierMeasurement.colourJitter(20, 0.1)),
                new Case("size off 15 %", ClassifierMeasurement.offSize()),
                new Case("combined", ClassifierMeasurement.combined())}) {
            ClassifierMeasurement m = ClassifierMeasurement.run(world, FRESH + 2, 80, c.distortion());
            System.out.print(m.report(c.name() + ", 80 images"));
            assertTrue(m.colour.accuracy() >= 0.95, () -> c.name() + "\n" + m.colour.table("colour"));
            assertTrue(m.shape.accuracy() >= 0.90, () -> c.name() + "\n" + m.shape.table("shape"));
        }
    }

    @Test
    void aPlainImageHasNoFigure() {
        byte[] rgb = new byte[32 * 32 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) Colour.GREEN.channel(0);
            rgb[i + 1] = (byte) Colour.GREEN.channel(1);
            rgb[i + 2] = (byte) Colour.GREEN.channel(2);
        }
        WorldReading r = new WorldClassifier().classify(RgbImage.of(32, 32, rgb));
        assertEquals(Colour.GREEN, r.background());
        assertEquals(Optional.empty(), r.colour());
        assertEquals(Optional.empty(), r.shape());
    }

    /** Every colour on every background it is drawn on, the shapes taking turns (84 pairs, 14 per shape). */
    @Test
    void everyColourIsReadOnEveryBackgroundAndEveryShapeOnMany() {
        World world = World.standard();
        WorldClassifier classifier = new WorldClassifier();
        int turn = 0;
        for (Colour c : Colour.values()) {
            for (Colour b : Contrast.backgroundsFor(c)) {
                Shape s = Shape.values()[turn++ % Shape.values().length];
                WorldLabels l = new WorldLabels(s, c, b, Texture.PLAIN, Size.MEDIUM, Position.CENTER);
                WorldReading r = classifier.classify(world.render(l, world.nominal(Size.MEDIUM, Position.CENTER)));
                assertTrue(r.shows(c, s) && r.background() == b, () -> l + " read as " + r);
            }
        }
        assertEquals(84, turn);
    }
}
