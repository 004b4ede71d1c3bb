package org.sdti.dataprep.world;

/**
 * The background's pattern: plain, or stripes or dots in a shade of the background colour (20 % towards white on
 * dark colours, towards black on light ones), faint enough that the background keeps its colour name.
 */
public enum Texture {
    PLAIN,
    STRIPED,
    DOTTED;

    public String word() {
        return Words.word(this);
    }

    public static Texture ofWord(String word) {
        return Words.parse(Texture.class, "texture", word);
    }
}
