package org.sdti.jobs.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Contrast;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.WorldCaptions;
import org.sdti.dataprep.world.WorldClassifier;
import org.sdti.dataprep.world.WorldReading;

/**
 * The toy world's judge ({@code docs/world.md}). A concept fixes the figure's colour and/or shape when at least
 * {@value #AGREEMENT} of its pictures show the same one (a (colour, shape) object fixes both, a colour style only the
 * colour); a picture of the concept must show what it fixes. Two probes: "a photo of a {}" (for a style too: the
 * world's captions are photos, and what a style's token learned must carry into them; "painting" and "style" are
 * words the world never taught), and a composition its pictures never showed. For a colour alone that is the
 * colour on a shape none of its pictures had ("a {} circle"); for a concept that fixes the shape, the concept on a
 * background colour none of them had (the first in palette order that contrasts with its colour), which must also
 * be that background. Each probe also has its words version ("a blue cross on a red background"): what the base
 * model draws when told in words bounds what a token can do (the toy model follows colour and shape words, but
 * background words only sometimes: docs/world.md).
 */
final class WorldEvaluator implements ConceptEvaluator {
    static final String WORLD = "shapes";
    static final double AGREEMENT = 0.75;

    private final WorldClassifier classifier = new WorldClassifier();

    @Override
    public Optional<Judgement> judge(String property, List<RgbImage> conceptImages) {
        if (conceptImages.isEmpty()) {
            return Optional.empty();
        }
        List<WorldReading> readings = conceptImages.stream().map(classifier::classify).toList();
        Colour colour = agreed(readings, r -> r.colour().orElse(null));
        Shape shape = agreed(readings, r -> r.shape().orElse(null));
        if (colour == null && shape == null) {
            return Optional.empty();
        }
        Map<String, String> expected = new LinkedHashMap<>();
        if (colour != null) {
            expected.put("colour", colour.word());
        }
        if (shape != null) {
            expected.put("shape", shape.word());
        }
        String words = Stream.of(colour == null ? null : colour.word(), shape == null ? null : shape.word())
                .filter(w -> w != null).collect(Collectors.joining(" "));
        List<Probe> probes = new ArrayList<>();
        probes.add(probe("photo", "a photo of a {}", words, r -> shows(r, colour, shape)));
        if (shape == null) {
            Set<Shape> seen = readings.stream().flatMap(r -> r.shape().stream()).collect(Collectors.toSet());
            Stream.of(Shape.values()).filter(s -> !seen.contains(s)).findFirst().ifPresent(novel -> probes.add(
                    probe("composition", "a {} " + novel.word(), words, r -> shows(r, colour, novel))));
        } else {
            Set<Colour> seen = readings.stream().map(WorldReading::background).collect(Collectors.toSet());
            (colour == null ? List.of(Colour.values()) : Contrast.backgroundsFor(colour)).stream()
                    .filter(b -> !seen.contains(b) && b != colour).findFirst()
                    .ifPresent(bg -> probes.add(probe("composition", "a {} on a " + bg.word() + " background",
                            words, r -> r.background() == bg && shows(r, colour, shape))));
        }
        return Optional.of(new Judgement(expected, probes));
    }

    private Probe probe(String name, String template, String words, Predicate<WorldReading> hit) {
        return new Probe(name, WorldCaptions.withArticles(template),
                WorldCaptions.withArticles(template.replace("{}", words)), img -> hit.test(classifier.classify(img)));
    }

    private static boolean shows(WorldReading r, Colour colour, Shape shape) {
        return (colour == null || r.colour().equals(Optional.of(colour)))
                && (shape == null || r.shape().equals(Optional.of(shape)));
    }

    /** The value at least {@link #AGREEMENT} of the readings share, or null. */
    private static <T extends Enum<T>> T agreed(List<WorldReading> readings, Function<WorldReading, T> part) {
        Map<T, Integer> counts = new LinkedHashMap<>();
        for (WorldReading r : readings) {
            T v = part.apply(r);
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().max(Comparator.comparingInt(Map.Entry::getValue))
                .filter(e -> e.getValue() >= AGREEMENT * readings.size()).map(Map.Entry::getKey).orElse(null);
    }
}
