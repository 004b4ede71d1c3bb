package org.sdti.dataprep.world;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The colours a world image's background can take: the observed base colour, every mix of it with the shade the
 * world draws its stripes and dots in (predicted from the base's palette entry, moved by however far the observed
 * base is off that entry), and the border's own colours near the base (a generated background is rarely flat).
 * Texture shades are predicted rather than sampled because dots need not reach the border.
 */
final class Ground {
    private final double[] base;
    private final double[] shade;
    private final List<double[]> samples;
    private final List<Lab> sampleLabs;

    private Ground(double[] base, double[] shade, List<double[]> samples) {
        this.base = base;
        this.shade = shade;
        this.samples = samples;
        this.sampleLabs = samples.stream().map(s -> Lab.ofSrgb(s[0], s[1], s[2])).toList();
    }

    /**
     * @param median        the border's median colour (on a striped border, anywhere between base and shade)
     * @param named         its palette name
     * @param borderSamples the border colours near the median
     */
    static Ground of(double[] median, Colour named, List<double[]> borderSamples) {
        double[] palette = {named.channel(0), named.channel(1), named.channel(2)};
        double[] shade = WorldPainter.shade(named);
        // the drawn texture runs from palette to shade; shift it by how far the observed median is off that line
        double[] onLine = nearestOnSegment(median, palette, shade);
        double[] base = new double[3];
        for (int c = 0; c < 3; c++) {
            double off = median[c] - onLine[c];
            base[c] = palette[c] + off;
            shade[c] += off;
        }
        Set<List<Double>> distinct = new LinkedHashSet<>();
        List<double[]> samples = new ArrayList<>();
        for (double[] s : borderSamples) {
            if (distinct.add(List.of(s[0], s[1], s[2]))) {
                samples.add(s);
            }
        }
        return new Ground(base, shade, samples);
    }

    /** The ground colour nearest {@code rgb} (whose CIELAB value is {@code lab}), as sRGB. */
    double[] nearest(double[] rgb, Lab lab) {
        double[] best = onTexture(rgb);
        double bestDistance = lab.distance(Lab.ofSrgb(best[0], best[1], best[2]));
        for (int i = 0; i < samples.size(); i++) {
            double d = lab.distance(sampleLabs.get(i));
            if (d < bestDistance) {
                bestDistance = d;
                best = samples.get(i);
            }
        }
        return best;
    }

    /** The mix of base and shade nearest {@code rgb} (in sRGB, where the painter mixes). */
    private double[] onTexture(double[] rgb) {
        return nearestOnSegment(rgb, base, shade);
    }

    private static double[] nearestOnSegment(double[] p, double[] a, double[] b) {
        double dot = 0;
        double norm = 0;
        for (int c = 0; c < 3; c++) {
            dot += (p[c] - a[c]) * (b[c] - a[c]);
            norm += (b[c] - a[c]) * (b[c] - a[c]);
        }
        double t = norm == 0 ? 0 : Math.max(0, Math.min(1, dot / norm));
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) {
            out[c] = a[c] + t * (b[c] - a[c]);
        }
        return out;
    }
}
