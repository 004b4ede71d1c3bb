package org.sdti.dataprep.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.RgbImage;

class WorldTest {
    private final World world = World.standard();

    @Test
    void sameSeedAndIndexGiveTheSameSampleOtherIndicesAnother() {
        WorldSample a = world.sample(3, 17);
        WorldSample b = world.sample(3, 17);
        assertEquals(a, b);
        assertNotEquals(a.image(), world.sample(3, 18).image());
        assertNotEquals(a.image(), world.sample(4, 17).image());
    }

    /**
     * The bytes of a data set are part of its definition (a toy model is trained on seed S, count N): this hash
     * of samples 0..31 of seed 0 changes only when the world is changed on purpose, which then needs a new model.
     */
    @Test
    void theFirstImagesOfSeedZeroKeepTheirBytes() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < 32; i++) {
            WorldSample s = world.sample(0, i);
            sha.update(s.image().rgb());
            sha.update(s.caption().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals("dba47c72c824cfcbb45d433c3ab9b4f48b5707f76ede176d9b6136362e81105f", HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void imagesHaveTheWorldsSideAndShapesKeepTheMargin() {
        for (int side : World.SIDES) {
            World w = World.of(side);
            for (int i = 0; i < 100; i++) {
                WorldSample s = w.sample(5, i);
                assertEquals(side, s.image().width());
                assertEquals(side, s.image().height());
                Placement p = s.placement();
                double margin = side / 16.0;
                assertTrue(p.cx() - p.radius() >= margin - 1e-9 && p.cx() + p.radius() <= side - margin + 1e-9
                        && p.cy() - p.radius() >= margin - 1e-9 && p.cy() + p.radius() <= side - margin + 1e-9,
                        () -> "sample " + s.index() + " at " + p + " leaves the margin");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> World.of(48));
    }

    @Test
    void everyLabelValueOccursAndBackgroundsContrast() {
        java.util.Set<Object> seen = new java.util.HashSet<>();
        for (int i = 0; i < 2000; i++) {
            WorldLabels l = world.sample(11, i).labels();
            seen.addAll(List.of(l.shape(), l.colour(), "bg:" + l.background(), l.texture(), l.size(), l.position()));
            assertTrue(Contrast.enough(l.colour(), l.background()), l::toString);
        }
        int expected = Shape.values().length + 2 * Colour.values().length + Texture.values().length
                + Size.values().length + Position.values().length;
        assertEquals(expected, seen.size());
    }

    @Test
    void constraintsFixTheirLabelsAndDrawTheRest() {
        Constraints redStars = Constraints.NONE.withShape(Shape.STAR).withColour(Colour.RED);
        java.util.Set<Colour> backgrounds = java.util.EnumSet.noneOf(Colour.class);
        for (int i = 0; i < 100; i++) {
            WorldLabels l = world.sample(2, i, redStars).labels();
            assertEquals(Shape.STAR, l.shape());
            assertEquals(Colour.RED, l.colour());
            backgrounds.add(l.background());
        }
        assertTrue(backgrounds.size() > 3, "backgrounds drawn: " + backgrounds);
        WorldLabels onGreen = world.sample(2, 0, Constraints.NONE.withBackground(Colour.GREEN)).labels();
        assertEquals(Colour.GREEN, onGreen.background());
        assertThrows(IllegalArgumentException.class,
                () -> Constraints.NONE.withColour(Colour.BLUE).withBackground(Colour.PURPLE));
    }

    @Test
    void captionsNameTheLabels() {
        WorldLabels l = new WorldLabels(Shape.STAR, Colour.RED, Colour.BLUE, Texture.PLAIN, Size.SMALL,
                Position.LEFT);
        List<String> all = WorldCaptions.all(l);
        assertEquals(WorldCaptions.count(), all.size());
        assertEquals("a photo of a small red star on a blue background", all.get(0));
        assertEquals("a red star", all.get(1));
        assertEquals("a small red star on the left", all.get(3));
        assertTrue(all.stream().allMatch(c -> c.contains("red star")));
        WorldLabels orange = new WorldLabels(Shape.RING, Colour.ORANGE, Colour.BLUE, Texture.STRIPED, Size.LARGE,
                Position.TOP);
        assertEquals("an orange ring on a striped blue background", WorldCaptions.caption(2, orange));
        assertEquals("a {} on a striped blue background",
                WorldCaptions.caption(2, orange, WorldCaptions.Slot.COLOUR_AND_SHAPE));
        assertEquals("a {} ring", WorldCaptions.caption(1, orange, WorldCaptions.Slot.COLOUR));
        assertEquals("an orange {}", WorldCaptions.caption(1, orange, WorldCaptions.Slot.SHAPE));
    }

    @Test
    void renderDrawsTheShapeInItsColourOnTheBackground() {
        WorldLabels l = new WorldLabels(Shape.SQUARE, Colour.YELLOW, Colour.BLACK, Texture.PLAIN, Size.LARGE,
                Position.CENTER);
        RgbImage image = world.render(l, world.nominal(Size.LARGE, Position.CENTER));
        for (int c = 0; c < 3; c++) {
            assertEquals(Colour.YELLOW.channel(c), image.sample(16, 16, c));
            assertEquals(Colour.BLACK.channel(c), image.sample(0, 0, c));
        }
    }

    /** The palette's promise (Colour's comment): names stay far apart, and only three pairs are too close to draw. */
    @Test
    void paletteColoursAreFarApartAndOnlyThreePairsAreNotDrawnTogether() {
        double closest = Double.POSITIVE_INFINITY;
        java.util.Set<String> refused = new java.util.TreeSet<>();
        for (Colour a : Colour.values()) {
            for (Colour b : Colour.values()) {
                if (a.ordinal() < b.ordinal()) {
                    closest = Math.min(closest, a.lab().distance(b.lab()));
                    if (!Contrast.enough(a, b)) {
                        refused.add(a.word() + "/" + b.word());
                    }
                }
            }
        }
        assertEquals(46, closest, 0.5);
        assertEquals(java.util.Set.of("red/orange", "blue/purple", "purple/pink"), refused);
    }

    @Test
    void lowContrastPairsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WorldLabels(Shape.STAR, Colour.RED, Colour.ORANGE,
                Texture.PLAIN, Size.SMALL, Position.LEFT));
        assertThrows(IllegalArgumentException.class, () -> Shape.ofWord("hexagon"));
        assertEquals(Colour.PINK, Colour.ofWord("pink"));
    }
}
