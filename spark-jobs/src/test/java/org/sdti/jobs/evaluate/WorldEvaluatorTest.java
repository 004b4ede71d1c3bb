package org.sdti.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Constraints;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.World;
import org.sdti.dataprep.world.WorldSample;

class WorldEvaluatorTest {
    private static final World WORLD = World.standard();

    static List<WorldSample> samples(long seed, int n, Constraints c) {
        return LongStream.range(0, n).mapToObj(i -> WORLD.sample(seed, i, c)).toList();
    }

    static List<RgbImage> images(List<WorldSample> s) {
        return s.stream().map(WorldSample::image).toList();
    }

    @Test
    void anObjectFixesColourAndShapeAndIsProbedOnABackgroundItNeverHad() {
        Constraints redStar = Constraints.NONE.withShape(Shape.STAR).withColour(Colour.RED);
        List<WorldSample> concept = samples(1, 6, redStar);
        ConceptEvaluator.Judgement j = new WorldEvaluator().judge("object", images(concept)).orElseThrow();
        assertEquals(Map.of("colour", "red", "shape", "star"), j.expected());
        ConceptEvaluator.Probe photo = j.probes().get(0);
        assertEquals("a photo of a {}", photo.prompt());
        assertEquals("a photo of a red star", photo.inWords(), "the ceiling: the concept said in words");
        // fresh pictures: red stars pass, a blue star or a red circle does not
        assertTrue(samples(99, 20, redStar).stream().allMatch(s -> photo.hit().test(s.image())));
        assertFalse(photo.hit().test(WORLD.sample(5, 0, redStar.withColour(Colour.BLUE)).image()));
        assertFalse(photo.hit().test(WORLD.sample(5, 0, redStar.withShape(Shape.CIRCLE)).image()));

        ConceptEvaluator.Probe composition = j.probes().get(1);
        String bg = composition.prompt().replace("a {} on a ", "").replace(" background", "");
        Colour background = Colour.ofWord(bg);
        assertTrue(concept.stream().noneMatch(s -> s.labels().background() == background), bg + " was seen");
        assertTrue(composition.hit().test(WORLD.sample(7, 0, redStar.withBackground(background)).image()));
        Colour other = concept.get(0).labels().background();
        assertFalse(composition.hit().test(WORLD.sample(7, 1, redStar.withBackground(other)).image()),
                "a red star on a background the concept had is no composition hit");
        assertEquals(composition.prompt().replace("{}", "red star"), composition.inWords());
    }

    @Test
    void probesSpeakTheWorldsEnglish() {
        // a green triangle's first unseen contrasting background here is orange: "an orange background", as the
        // captions the model learned from write it
        List<WorldSample> concept = samples(3, 6, Constraints.NONE.withShape(Shape.TRIANGLE).withColour(Colour.GREEN)
                .withBackground(Colour.WHITE));
        ConceptEvaluator.Probe composition = new WorldEvaluator().judge("object", images(concept)).orElseThrow()
                .probes().get(1);
        assertTrue(composition.prompt().matches("a \\{} on an? \\w+ background"), composition.prompt());
        assertFalse(composition.prompt().contains(" a orange") || composition.prompt().contains(" a o"),
                composition.prompt());
        List<WorldSample> orange = samples(4, 6, Constraints.NONE.withColour(Colour.ORANGE));
        assertEquals("a photo of an orange", new WorldEvaluator().judge("style", images(orange)).orElseThrow()
                .probes().get(0).inWords());
    }

    @Test
    void aColourStyleFixesOnlyTheColour() {
        List<WorldSample> concept = samples(2, 8, Constraints.NONE.withColour(Colour.GREEN));
        ConceptEvaluator.Judgement j = new WorldEvaluator().judge("style", images(concept)).orElseThrow();
        assertEquals(Map.of("colour", "green"), j.expected());
        assertEquals("a photo of a {}", j.probes().get(0).prompt(), "the world's captions are photos, a style's too");
        assertTrue(j.probes().get(0).hit().test(WORLD.sample(3, 0, Constraints.NONE.withColour(Colour.GREEN)
                .withShape(Shape.RING)).image()));
        assertEquals("a photo of a green", j.probes().get(0).inWords());
        // the composition: the colour on a shape none of its pictures had (the toy model follows shape words; it
        // follows background words only sometimes)
        ConceptEvaluator.Probe composition = j.probes().get(1);
        Shape novel = Shape.ofWord(composition.prompt().replace("a {} ", ""));
        assertTrue(concept.stream().noneMatch(s -> s.labels().shape() == novel), novel + " was seen");
        assertEquals("a green " + novel.word(), composition.inWords());
        assertTrue(composition.hit().test(WORLD.sample(8, 0, Constraints.NONE.withColour(Colour.GREEN)
                .withShape(novel)).image()));
        Shape seen = concept.get(0).labels().shape();
        assertFalse(composition.hit().test(WORLD.sample(8, 1, Constraints.NONE.withColour(Colour.GREEN)
                .withShape(seen)).image()), "a shape it had is no composition");
        assertFalse(composition.hit().test(WORLD.sample(8, 2, Constraints.NONE.withColour(Colour.RED)
                .withShape(novel)).image()), "another colour is no hit");
    }

    @Test
    void picturesOfNothingInParticularCannotBeJudged() {
        Random r = new Random(4);
        List<RgbImage> noise = LongStream.range(0, 6).mapToObj(i -> {
            byte[] rgb = new byte[32 * 32 * 3];
            r.nextBytes(rgb);
            return RgbImage.of(32, 32, rgb);
        }).toList();
        assertTrue(new WorldEvaluator().judge("object", noise).isEmpty());
        assertTrue(new WorldEvaluator().judge("object", images(samples(3, 8, Constraints.NONE))).isEmpty(),
                "mixed colours and shapes agree on nothing");
    }
}
