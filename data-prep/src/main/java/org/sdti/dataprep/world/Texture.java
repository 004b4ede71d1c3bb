package org.sdti.dataprep.world;

import java.util.Locale;

/**
 * The background's pattern: plain, or stripes or dots in a shade of the background colour (20 % towards white on
 * dark colours, towards black on light ones), faint enough that the background keeps its colour name.
 */
public enum Texture {
    PLAIN,
    STRIPED,
    DOTTED;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Texture ofWord(String word) {
        for (Texture t : values()) {
            if (t.word().equals(word)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown texture \"" + word + "\"; expected one of " + Words.of(values()));
    }
}
