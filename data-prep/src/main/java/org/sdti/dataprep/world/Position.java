package org.sdti.dataprep.world;

/**
 * Where a shape sits: the centre, or pushed towards one side as far as the margin lets it (a large shape moves
 * only a little). Each has the phrase captions use ("on the left").
 */
public enum Position {
    CENTER(0, 0, "in the center"),
    LEFT(-1, 0, "on the left"),
    RIGHT(1, 0, "on the right"),
    TOP(0, -1, "at the top"),
    BOTTOM(0, 1, "at the bottom");

    private final int dx;
    private final int dy;
    private final String phrase;

    Position(int dx, int dy, String phrase) {
        this.dx = dx;
        this.dy = dy;
        this.phrase = phrase;
    }

    /** -1, 0 or 1: the direction the shape is pushed along x. */
    public int dx() {
        return dx;
    }

    /** -1, 0 or 1: along y (down is positive). */
    public int dy() {
        return dy;
    }

    public String phrase() {
        return phrase;
    }

    public String word() {
        return Words.word(this);
    }

    public static Position ofWord(String word) {
        return Words.parse(Position.class, "position", word);
    }
}
