package org.sdti.dataprep.world;

import java.util.EnumMap;
import java.util.Map;

/**
 * Names the shape of a figure mask by template fitting: for each {@link Shape}, the radius its area implies and the
 * centre its centroid implies are a starting point, then radius and centre are refined by coordinate search, and
 * the shape whose drawn template overlaps the mask best (soft intersection over union) wins. Fitting size and
 * position, rather than comparing to fixed sizes, makes a figure a little off-size or off-place still match; soft
 * overlap lets blurred edges count partly instead of flipping on a threshold.
 */
final class ShapeMatcher {
    /** Template sub-samples per pixel side. */
    private static final int SUB = 2;
    private static final double[] SCALES = {0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.15, 1.2};
    /** Centre moves tried, in pixels at 32 px (scaled with the image). */
    private static final double[] MOVES = {-1.5, -1, -0.5, 0, 0.5, 1, 1.5};
    private static final int ROUNDS = 2;

    /** Each shape sampled on a fine grid over the unit square: a template pixel is a few look-ups, not geometry. */
    private static final int GRID = 256;
    private static final Map<Shape, boolean[]> MASKS = unitMasks();
    private static final Map<Shape, double[]> UNIT = unitMoments();

    /** The fit of one shape: its overlap with the mask and where it was drawn. */
    record Fit(Shape shape, double overlap, Placement placement) {
    }

    private ShapeMatcher() {
    }

    /** The best-fitting shape; {@code alpha} is a {@code side × side} row-major figure mask in 0..1. */
    static Fit best(double[] alpha, int side) {
        Fit best = null;
        for (Shape s : Shape.values()) {
            Fit f = fit(s, alpha, side);
            if (best == null || f.overlap() > best.overlap()) {
                best = f;
            }
        }
        return best;
    }

    static Fit fit(Shape shape, double[] alpha, int side) {
        double area = 0;
        double mx = 0;
        double my = 0;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double a = alpha[y * side + x];
                area += a;
                mx += a * (x + 0.5);
                my += a * (y + 0.5);
            }
        }
        if (area <= 0) {
            return new Fit(shape, 0, new Placement(side / 2.0, side / 2.0, 1));
        }
        double[] unit = UNIT.get(shape);   // area, centroid x, centroid y at radius 1
        double r = Math.sqrt(area / unit[0]);
        double cx = mx / area - unit[1] * r;
        double cy = my / area - unit[2] * r;
        double step = side / 32.0;
        double score = overlap(shape, alpha, side, area, cx, cy, r);
        for (int round = 0; round < ROUNDS; round++) {
            double before = score;
            double r0 = r;
            for (double k : SCALES) {
                double s = overlap(shape, alpha, side, area, cx, cy, r0 * k);
                if (s > score) {
                    score = s;
                    r = r0 * k;
                }
            }
            double cx0 = cx;
            for (double m : MOVES) {
                double s = overlap(shape, alpha, side, area, cx0 + m * step, cy, r);
                if (s > score) {
                    score = s;
                    cx = cx0 + m * step;
                }
            }
            double cy0 = cy;
            for (double m : MOVES) {
                double s = overlap(shape, alpha, side, area, cx, cy0 + m * step, r);
                if (s > score) {
                    score = s;
                    cy = cy0 + m * step;
                }
            }
            if (score == before) {
                break;
            }
        }
        // the same placement against a softened template, over the radii: blurred pictures fit that better
        int blurs = Math.max(1, side / 32);
        double r0 = r;
        for (double k : SCALES) {
            score = Math.max(score, overlap(shape, alpha, side, area, cx, cy, r0 * k, blurs));
        }
        return new Fit(shape, score, new Placement(cx, cy, r));
    }

    /** Soft IoU of the mask and the shape drawn at (cx, cy, r): Σ min / (Σ mask + Σ template − Σ min). */
    private static double overlap(Shape shape, double[] alpha, int side, double area, double cx, double cy,
                                  double r) {
        return overlap(shape, alpha, side, area, cx, cy, r, 0);
    }

    /**
     * The same against the template softened by {@code blurs} passes of a 3 × 3 binomial filter (σ ≈ 0.7 px each):
     * a blurred picture's thin parts (a star's points) are fainter than any sharp template says.
     */
    private static double overlap(Shape shape, double[] alpha, int side, double area, double cx, double cy,
                                  double r, int blurs) {
        int pad = blurs;
        int x0 = Math.max(0, (int) Math.floor(cx - r) - pad);
        int x1 = Math.min(side - 1, (int) Math.ceil(cx + r) + pad);
        int y0 = Math.max(0, (int) Math.floor(cy - r) - pad);
        int y1 = Math.min(side - 1, (int) Math.ceil(cy + r) + pad);
        int w = x1 - x0 + 1;
        int h = y1 - y0 + 1;
        double[] t = new double[w * h];
        boolean[] mask = MASKS.get(shape);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int hits = 0;
                for (int sy = 0; sy < SUB; sy++) {
                    for (int sx = 0; sx < SUB; sx++) {
                        int i = (int) Math.floor(((x + (sx + 0.5) / SUB - cx) / r + 1) * (GRID / 2.0));
                        int j = (int) Math.floor(((y + (sy + 0.5) / SUB - cy) / r + 1) * (GRID / 2.0));
                        if (i >= 0 && j >= 0 && i < GRID && j < GRID && mask[j * GRID + i]) {
                            hits++;
                        }
                    }
                }
                t[(y - y0) * w + (x - x0)] = hits / (double) (SUB * SUB);
            }
        }
        for (int b = 0; b < blurs; b++) {
            t = soften(t, w, h);
        }
        double both = 0;
        double template = 0;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double v = t[(y - y0) * w + (x - x0)];
                template += v;
                both += Math.min(v, alpha[y * side + x]);
            }
        }
        double union = area + template - both;
        return union <= 0 ? 0 : both / union;
    }

    /** One pass of [1 2 1] / 4 along each axis, edges clamped. */
    private static double[] soften(double[] t, int w, int h) {
        double[] a = new double[t.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                a[y * w + x] = (t[y * w + Math.max(0, x - 1)] + 2 * t[y * w + x] + t[y * w + Math.min(w - 1, x + 1)]) / 4;
            }
        }
        double[] b = new double[t.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b[y * w + x] = (a[Math.max(0, y - 1) * w + x] + 2 * a[y * w + x] + a[Math.min(h - 1, y + 1) * w + x]) / 4;
            }
        }
        return b;
    }

    private static Map<Shape, boolean[]> unitMasks() {
        Map<Shape, boolean[]> out = new EnumMap<>(Shape.class);
        for (Shape s : Shape.values()) {
            boolean[] mask = new boolean[GRID * GRID];
            for (int j = 0; j < GRID; j++) {
                for (int i = 0; i < GRID; i++) {
                    mask[j * GRID + i] = s.covers(unit(i), unit(j));
                }
            }
            out.put(s, mask);
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** Area and centroid of each shape at radius 1, from its grid. */
    private static Map<Shape, double[]> unitMoments() {
        Map<Shape, double[]> out = new EnumMap<>(Shape.class);
        for (Shape s : Shape.values()) {
            boolean[] mask = MASKS.get(s);
            double count = 0;
            double sx = 0;
            double sy = 0;
            for (int j = 0; j < GRID; j++) {
                for (int i = 0; i < GRID; i++) {
                    if (mask[j * GRID + i]) {
                        count++;
                        sx += unit(i);
                        sy += unit(j);
                    }
                }
            }
            double cell = 4.0 / (GRID * GRID);
            out.put(s, new double[] {count * cell, sx / count, sy / count});
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The centre of grid cell {@code i} in unit coordinates. */
    private static double unit(int i) {
        return -1 + (i + 0.5) * 2 / GRID;
    }
}
