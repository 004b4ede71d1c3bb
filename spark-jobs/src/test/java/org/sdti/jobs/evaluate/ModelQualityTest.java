package org.sdti.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Constraints;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.World;
import org.sdti.dataprep.world.WorldClassifier;
import org.sdti.dataprep.world.WorldReading;

/**
 * Scoring against ground truth: pictures the world draws for a (colour, shape) pair are what a perfect model would
 * render, so they score what the classifier reads right on clean pictures (100 %, docs/world.md); pictures of
 * another colour, another shape or no figure count as misses.
 */
class ModelQualityTest {
    private static final long FRESH = 20261208L;
    private static final int SEEDS = 2;
    private static final WorldClassifier CLASSIFIER = new WorldClassifier();

    /**
     * Ground truth: {@value #SEEDS} pictures the world draws for each (colour, shape) pair, read once (the
     * classifier is the slow part).
     */
    private static final Map<Colour, Map<Shape, List<WorldReading>>> TRUTH = truth();

    private static Map<Colour, Map<Shape, List<WorldReading>>> truth() {
        World world = World.standard();
        Map<Colour, Map<Shape, List<WorldReading>>> out = new EnumMap<>(Colour.class);
        int index = 0;
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                List<WorldReading> readings = new ArrayList<>();
                for (int i = 0; i < SEEDS; i++) {
                    Constraints pair = Constraints.NONE.withColour(c).withShape(s);
                    readings.add(CLASSIFIER.classify(world.sample(FRESH, index++, pair).image()));
                }
                out.computeIfAbsent(c, k -> new EnumMap<>(Shape.class)).put(s, readings);
            }
        }
        return out;
    }

    /**
     * Every pair scored on the ground-truth pictures of the pair {@code drawn(colour, shape)}: what a model that
     * draws that pair when asked for this one renders.
     */
    static ModelQuality score(BiFunction<Colour, Shape, Map.Entry<Colour, Shape>> drawn) {
        List<ModelQuality.Cell> cells = new ArrayList<>();
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                Map.Entry<Colour, Shape> d = drawn.apply(c, s);
                cells.add(new ModelQuality.Cell(c, s, TRUTH.get(d.getKey()).get(d.getValue())));
            }
        }
        return new ModelQuality(cells);
    }

    static ModelQuality right() {
        return score(Map::entry);
    }

    /** The red pairs drawn in orange, every other pair right. */
    static ModelQuality redAsOrange() {
        return score((c, s) -> Map.entry(c == Colour.RED ? Colour.ORANGE : c, s));
    }

    @Test
    void groundTruthPicturesScoreEveryHit() {
        ModelQuality q = right();
        ModelQuality.Hits t = q.total();
        assertEquals(new ModelQuality.Hits(120, 120, 120, 120), t);
        assertEquals(1.0, t.colourRate());
        assertEquals(1.0, t.bothRate());
        assertEquals(new ModelQuality.Hits(2, 2, 2, 2), hits(q.cell(Colour.PURPLE, Shape.STAR)));
        assertEquals(new ModelQuality.Hits(12, 12, 12, 12), q.colour(Colour.RED));
        assertEquals(new ModelQuality.Hits(20, 20, 20, 20), q.shape(Shape.RING));
    }

    @Test
    void aWrongColourIsAColourMissAndAWrongShapeAShapeMiss() {
        // every pair drawn in the next colour of the palette (red as orange, ...): right shape, wrong colour
        Colour[] palette = Colour.values();
        ModelQuality wrongColour = score((c, s) -> Map.entry(palette[(c.ordinal() + 1) % palette.length], s));
        assertEquals(new ModelQuality.Hits(120, 0, 120, 0), wrongColour.total());
        ModelQuality.Cell redStar = wrongColour.cell(Colour.RED, Shape.STAR);
        assertEquals(Colour.ORANGE, redStar.readings().get(0).colour().orElseThrow(), "drawn orange, read orange");
        assertEquals(0, redStar.colourHits());
        assertEquals(2, redStar.shapeHits());

        Shape[] shapes = Shape.values();
        ModelQuality wrongShape = score((c, s) -> Map.entry(c, shapes[(s.ordinal() + 1) % shapes.length]));
        assertEquals(new ModelQuality.Hits(120, 120, 0, 0), wrongShape.total());
    }

    @Test
    void aPictureWithoutAFigureMissesBoth() {
        byte[] rgb = new byte[32 * 32 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) Colour.BLUE.channel(0);
            rgb[i + 1] = (byte) Colour.BLUE.channel(1);
            rgb[i + 2] = (byte) Colour.BLUE.channel(2);
        }
        ModelQuality.Cell cell = new ModelQuality.Cell(Colour.BLUE, Shape.SQUARE,
                List.of(CLASSIFIER.classify(RgbImage.of(32, 32, rgb))));
        assertEquals(new ModelQuality.Hits(1, 0, 0, 0), hits(cell));
    }

    @Test
    void theTableHasARowPerColourAColumnPerShapeAndTheTotals() {
        Colour[] palette = Colour.values();
        // red's row has no colour hit, every other cell is right
        ModelQuality q = redAsOrange();
        List<String> lines = q.table().lines().toList();
        assertEquals("| colour \\ shape | circle | square | triangle | star | ring | cross | colour right "
                + "| shape right |", lines.get(0));
        assertEquals("| red | 0/2 | 0/2 | 0/2 | 0/2 | 0/2 | 0/2 | 0% | 100% |", lines.get(2));
        assertEquals("| orange | 2/2 | 2/2 | 2/2 | 2/2 | 2/2 | 2/2 | 100% | 100% |", lines.get(3));
        assertEquals(2 + palette.length + 2, lines.indexOf(""), q.table());
        assertEquals("| colour right | 90% | 90% | 90% | 90% | 90% | 90% | | |", lines.get(2 + palette.length));
        assertEquals("| shape right | 100% | 100% | 100% | 100% | 100% | 100% | | |",
                lines.get(3 + palette.length));
        assertTrue(q.table().contains("Each cell: of 2 pictures, how many the classifier read in the asked colour "
                + "/ in the asked shape."), q.table());
        assertTrue(q.table().contains("**Colour right 90.0%, shape right 100.0%, both right 90.0%** of 120 "
                + "pictures."), q.table());
    }

    @Test
    void everyPairOnceWithTheSameNumberOfPictures() {
        List<ModelQuality.Cell> cells = new ArrayList<>(right().cells());
        assertThrows(IllegalArgumentException.class, () -> new ModelQuality(cells.subList(1, cells.size())));
        List<ModelQuality.Cell> twice = new ArrayList<>(cells);
        twice.set(1, cells.get(0));
        assertThrows(IllegalArgumentException.class, () -> new ModelQuality(twice));
        List<ModelQuality.Cell> uneven = new ArrayList<>(cells);
        ModelQuality.Cell last = cells.get(cells.size() - 1);
        uneven.set(cells.size() - 1, new ModelQuality.Cell(last.colour(), last.shape(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ModelQuality(uneven));
    }

    @Test
    void thePromptNamesColourThenShape() {
        assertEquals("a photo of a red star", ModelQuality.prompt(Colour.RED, Shape.STAR));
        assertTrue(ModelQuality.knows("shapes"));
        assertTrue(!ModelQuality.knows(null) && !ModelQuality.knows("faces"));
    }

    private static ModelQuality.Hits hits(ModelQuality.Cell c) {
        return new ModelQuality.Hits(c.pictures(), c.colourHits(), c.shapeHits(), c.bothHits());
    }
}
