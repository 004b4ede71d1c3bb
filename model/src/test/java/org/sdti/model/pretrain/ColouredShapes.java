package org.sdti.model.pretrain;

import java.util.SplittableRandom;

/**
 * A small seeded stand-in for the shapes world (tests only): a filled square or disc of one of four colours on a
 * plain background of another, with a caption naming both, e.g. "a photo of a red square on a blue background".
 */
final class ColouredShapes implements ExampleSource {
    static final String[] COLOURS = {"red", "green", "blue", "yellow"};
    static final float[][] RGB = {{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}};
    static final String[] SHAPES = {"square", "circle"};

    private final int size;
    private final int count;
    private final long seed;

    ColouredShapes(int size, int count, long seed) {
        this.size = size;
        this.count = count;
        this.seed = seed;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int height() {
        return size;
    }

    @Override
    public int width() {
        return size;
    }

    @Override
    public Example get(int index) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003 + index);
        int fg = r.nextInt(COLOURS.length);
        int bg = (fg + 1 + r.nextInt(COLOURS.length - 1)) % COLOURS.length;
        int shape = r.nextInt(SHAPES.length);
        int radius = size / 5 + r.nextInt(size / 6 + 1);
        int cx = radius + r.nextInt(size - 2 * radius);
        int cy = radius + r.nextInt(size - 2 * radius);
        float[] px = new float[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int dx = x - cx;
                int dy = y - cy;
                boolean inside = shape == 0 ? Math.abs(dx) < radius && Math.abs(dy) < radius
                        : dx * dx + dy * dy < radius * radius;
                float[] c = RGB[inside ? fg : bg];
                for (int ch = 0; ch < 3; ch++) {
                    px[(ch * size + y) * size + x] = c[ch];
                }
            }
        }
        return new Example(px, "a photo of a " + COLOURS[fg] + " " + SHAPES[shape] + " on a " + COLOURS[bg]
                + " background");
    }
}
