package org.sdti.dataprep.world;

/**
 * The world's shapes, each a single CLIP token ({@code star</w>}), as regions of the unit square: {@link #covers}
 * answers for a point in coordinates where the shape's bounding box is centred on the origin and its larger half
 * extent is 1 (the "radius" a {@link Placement} scales). Upright only: a rotated square would be a diamond, a word
 * the captions do not use.
 */
public enum Shape {
    CIRCLE {
        @Override
        public boolean covers(double u, double v) {
            return u * u + v * v <= 1;
        }
    },
    SQUARE {
        @Override
        public boolean covers(double u, double v) {
            // a little smaller than the circle's box, so the two have similar areas
            return Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85;
        }
    },
    TRIANGLE {
        @Override
        public boolean covers(double u, double v) {
            // apex (0, -0.87), base corners (±1, 0.87): close to equilateral, box centred
            return v <= 0.87 && Math.abs(u) <= (v + 0.87) / 1.74;
        }
    },
    STAR {
        @Override
        public boolean covers(double u, double v) {
            return StarOutline.INSTANCE.contains(u, v);
        }
    },
    RING {
        @Override
        public boolean covers(double u, double v) {
            double d = u * u + v * v;
            return d <= 1 && d >= RING_INNER * RING_INNER;
        }
    },
    CROSS {
        @Override
        public boolean covers(double u, double v) {
            double au = Math.abs(u);
            double av = Math.abs(v);
            return (au <= CROSS_ARM && av <= 0.95) || (av <= CROSS_ARM && au <= 0.95);
        }
    };

    /** Inner radius of the ring: its hole stays about 6 px wide even when small at 32 px. */
    static final double RING_INNER = 0.55;
    /** Half width of the cross's arms. */
    static final double CROSS_ARM = 0.3;

    /** Whether unit-square point (u right, v down) lies inside the shape. */
    public abstract boolean covers(double u, double v);

    /** The caption word, e.g. {@code "star"}. */
    public String word() {
        return Words.word(this);
    }

    /** The shape whose {@link #word()} is {@code word}. */
    public static Shape ofWord(String word) {
        return Words.parse(Shape.class, "shape", word);
    }

    /** A five-pointed star, one point up, outer radius 1, inner 0.42, moved down so its box is centred. */
    private static final class StarOutline {
        static final StarOutline INSTANCE = new StarOutline();
        private final double[] xs = new double[10];
        private final double[] ys = new double[10];

        private StarOutline() {
            double shift = (1 - StrictMath.cos(StrictMath.PI / 5)) / 2;   // top at -1, lowest points at cos 36°
            for (int i = 0; i < 10; i++) {
                double radius = i % 2 == 0 ? 1 : 0.42;
                double angle = -StrictMath.PI / 2 + i * StrictMath.PI / 5;
                xs[i] = radius * StrictMath.cos(angle);
                ys[i] = radius * StrictMath.sin(angle) + shift;
            }
        }

        /** Even-odd crossing test. */
        boolean contains(double x, double y) {
            boolean inside = false;
            for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
                if ((ys[i] > y) != (ys[j] > y)
                        && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
                    inside = !inside;
                }
            }
            return inside;
        }
    }
}
