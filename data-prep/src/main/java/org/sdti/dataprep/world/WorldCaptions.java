package org.sdti.dataprep.world;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The captions of a world image, from a few templates ("a photo of a small red star on a blue background",
 * "a red star", ...). The colour and shape words always stand together ("red star"), so a concept of the world
 * can take their place: {@link Slot} puts {@code {}} (where textual inversion puts its token) there instead.
 */
public final class WorldCaptions {
    private static final List<String> TEMPLATES = List.of(
            "a photo of a {size} {thing} on a {background} background",
            "a {thing}",
            "a {thing} on a {background} background",
            "a {size} {thing} {position}",
            "a {background} background with a {thing}",
            "a photo of a {thing} {position} on a {background} background",
            "a {size} {thing}");

    /** Which of the colour and shape words a caption replaces by {@code {}}. */
    public enum Slot {
        /** Neither: the full caption, "a red star". */
        NONE,
        /** The colour: "a {} star" (a colour concept). */
        COLOUR,
        /** The shape: "a red {}". */
        SHAPE,
        /** Both: "a {}" (a concept that is one coloured shape). */
        COLOUR_AND_SHAPE
    }

    /** "a" before a vowel ("a orange star") reads as "an". */
    private static final Pattern AN = Pattern.compile("\\ba (?=[aeiou])");

    private WorldCaptions() {
    }

    /** How many templates there are; {@link #caption} takes 0 .. count - 1. */
    public static int count() {
        return TEMPLATES.size();
    }

    public static String caption(int template, WorldLabels labels) {
        return caption(template, labels, Slot.NONE);
    }

    public static String caption(int template, WorldLabels labels, Slot slot) {
        if (template < 0 || template >= TEMPLATES.size()) {
            throw new IllegalArgumentException("template " + template + " not in 0.." + (TEMPLATES.size() - 1));
        }
        String background = labels.texture() == Texture.PLAIN
                ? labels.background().word()
                : labels.texture().word() + " " + labels.background().word();
        String text = TEMPLATES.get(template)
                .replace("{size}", labels.size().word())
                .replace("{thing}", thing(labels, slot))
                .replace("{background}", background)
                .replace("{position}", labels.position().phrase());
        return withArticles(text);
    }

    /** The world's English: "a" before a vowel becomes "an" ("a orange star" → "an orange star"). */
    public static String withArticles(String text) {
        return AN.matcher(text).replaceAll("an ");
    }

    /** Every template's caption for these labels, in template order. */
    public static List<String> all(WorldLabels labels) {
        return all(labels, Slot.NONE);
    }

    public static List<String> all(WorldLabels labels, Slot slot) {
        return IntStream.range(0, TEMPLATES.size()).mapToObj(i -> caption(i, labels, slot)).toList();
    }

    private static String thing(WorldLabels labels, Slot slot) {
        String colour = labels.colour().word();
        String shape = labels.shape().word();
        return switch (slot) {
            case NONE -> colour + " " + shape;
            case COLOUR -> "{} " + shape;
            case SHAPE -> colour + " {}";
            case COLOUR_AND_SHAPE -> "{}";
        };
    }
}
