package org.sdti.jobs.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.sdti.dataprep.RgbImage;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Contrast;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.WorldClassifier;
import org.sdti.dataprep.world.WorldReading;

/**
 * The toy world's judge ({@code docs/world.md}). A concept fixes the figure's colour and/or shape when at least
 * {@value #AGREEMENT} of its pictures show the same one (a (colour, shape) object fixes both, a colour style only the
 * colour); a picture of the concept must show what it fixes. Two probes: "a photo of a {}" (for a style too: the
 * world's captions are photos, and what a style's token learned must carry into them; "painting" and "style" are
 * words the world never taught), and a composition its pictures never showed: the concept on a background
 * colour none of them had (the first in palette order that contrasts with the concept's colour), which must also
 * be that background.
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
        List<Probe> probes = new ArrayList<>();
        probes.add(new Probe("photo", "a photo of a {}", img -> shows(classifier.classify(img), colour, shape)));
        Set<Colour> seen = readings.stream().map(WorldReading::background)
                .collect(java.util.stream.Collectors.toSet());
        Optional<Colour> novel = (colour == null ? List.of(Colour.values()) : Contrast.backgroundsFor(colour)).stream()
                .filter(b -> !seen.contains(b) && b != colour).findFirst();
        novel.ifPresent(bg -> probes.add(new Probe("composition", "a {} on a " + bg.word() + " background", img -> {
            WorldReading r = classifier.classify(img);
            return r.background() == bg && shows(r, colour, shape);
        })));
        return Optional.of(new Judgement(expected, probes));
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
