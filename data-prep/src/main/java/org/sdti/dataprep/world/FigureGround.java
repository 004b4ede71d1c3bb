package org.sdti.dataprep.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.sdti.dataprep.RgbImage;

/**
 * Separates a world image into background and figure. The background is what the image's border shows (shapes
 * keep a margin): its colour is the border's per-channel median, which a striped or dotted texture does not move
 * off its name. The ground is then that colour, every mix of it with its texture shade, and the border colours
 * near it ({@link Ground}). A pixel far (CIELAB) from all of the ground belongs to the figure; the figure's colour is the median
 * of its most distant pixels (the core, free of edge mixes), and each pixel's figure share α is its position on
 * the line from its nearest ground colour to that colour, which is exactly the anti-aliasing mix and degrades
 * gracefully on blurred edges.
 */
final class FigureGround {
    /**
     * Border colours further than this from the border median are not taken as ground samples: they are the
     * figure's edge where it reaches the border (texture shades need no samples: {@link Ground} knows them).
     */
    private static final double GROUND_SPREAD = 20;
    /** A pixel this far from every ground sample is figure. */
    private static final double FIGURE_DISTANCE = 25;
    /** Core pixels are at least this share of the (90th percentile) figure distance from the ground. */
    private static final double CORE_SHARE = 0.7;

    /** Figure shares this close to 0 or 1 are taken as exactly that (noise, not coverage). */
    private static final double LOW = 0.15;

    private final Colour background;
    private final Optional<Colour> figure;
    private final double[] alpha;

    private FigureGround(Colour background, Optional<Colour> figure, double[] alpha) {
        this.background = background;
        this.figure = figure;
        this.alpha = alpha;
    }

    Colour background() {
        return background;
    }

    /** Empty when nothing stands out from the background. */
    Optional<Colour> figure() {
        return figure;
    }

    /** Per pixel (row-major) the figure's share, 0..1; all zero without a figure. */
    double[] alpha() {
        return alpha.clone();
    }

    static FigureGround of(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int n = w * h;
        double[][] rgb = new double[n][];
        Lab[] lab = new Lab[n];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double[] p = {image.sample(x, y, 0), image.sample(x, y, 1), image.sample(x, y, 2)};
                rgb[y * w + x] = p;
                lab[y * w + x] = Lab.ofSrgb(p[0], p[1], p[2]);
            }
        }
        int band = Math.max(1, Math.min(w, h) / 32);
        List<Integer> border = new ArrayList<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x < band || y < band || x >= w - band || y >= h - band) {
                    border.add(y * w + x);
                }
            }
        }
        double[] median = new double[3];
        for (int c = 0; c < 3; c++) {
            int channel = c;
            median[c] = median(border.stream().mapToDouble(i -> rgb[i][channel]).toArray());
        }
        Lab groundLab = Lab.ofSrgb(median[0], median[1], median[2]);
        Colour background = Colour.nearest(groundLab);
        Ground ground = Ground.of(median, background, border.stream()
                .filter(i -> lab[i].distance(groundLab) < GROUND_SPREAD).map(i -> rgb[i]).toList());

        double[] distance = new double[n];
        double[][] nearest = new double[n][];
        for (int i = 0; i < n; i++) {
            nearest[i] = ground.nearest(rgb[i], lab[i]);
            distance[i] = lab[i].distance(Lab.ofSrgb(nearest[i][0], nearest[i][1], nearest[i][2]));
        }
        double[] far = Arrays.stream(distance).filter(d -> d > FIGURE_DISTANCE).sorted().toArray();
        if (far.length < Math.max(4, n / 200)) {
            return new FigureGround(background, Optional.empty(), new double[n]);
        }
        double cut = CORE_SHARE * far[(int) (0.9 * (far.length - 1))];
        double[][] core = new double[3][];
        for (int c = 0; c < 3; c++) {
            int channel = c;
            core[c] = java.util.stream.IntStream.range(0, n).filter(i -> distance[i] >= cut)
                    .mapToDouble(i -> rgb[i][channel]).toArray();
        }
        double[] ink = {median(core[0]), median(core[1]), median(core[2])};
        Colour figure = Colour.nearest(Lab.ofSrgb(ink[0], ink[1], ink[2]));

        double[] alpha = new double[n];
        for (int i = 0; i < n; i++) {
            double[] b = nearest[i];
            double dot = 0;
            double norm = 0;
            for (int c = 0; c < 3; c++) {
                dot += (rgb[i][c] - b[c]) * (ink[c] - b[c]);
                norm += (ink[c] - b[c]) * (ink[c] - b[c]);
            }
            // shares below LOW are grain on the ground, above 1 - LOW grain on the figure: clamped, not averaged in
            double share = norm == 0 ? 0 : dot / norm;
            alpha[i] = Math.max(0, Math.min(1, (share - LOW) / (1 - 2 * LOW)));
        }
        return new FigureGround(background, Optional.of(figure), alpha);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
