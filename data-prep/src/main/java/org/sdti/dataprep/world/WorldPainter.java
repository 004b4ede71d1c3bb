package org.sdti.dataprep.world;

import org.sdti.dataprep.RgbImage;

/**
 * Paints one world image: the background (plain, striped or dotted), then the shape, each pixel the mix of the
 * two by the fraction of its 4 × 4 sub-samples a region covers (anti-aliased edges, as a camera or a diffusion
 * model would show them, computed in exact arithmetic so the same labels give the same bytes on any JVM).
 */
final class WorldPainter {
    private static final int SUB = 4;
    /** Texture period at 32 px; it scales with the image. */
    private static final double PERIOD_AT_32 = 6;
    private static final double SHADE = 0.2;

    private WorldPainter() {
    }

    static RgbImage paint(int side, WorldLabels labels, Placement at) {
        double period = PERIOD_AT_32 * side / 32.0;
        double[] base = rgb(labels.background());
        double[] shade = shade(labels.background());
        double[] ink = rgb(labels.colour());
        byte[] out = new byte[side * side * 3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int pattern = 0;
                int shape = 0;
                for (int sy = 0; sy < SUB; sy++) {
                    for (int sx = 0; sx < SUB; sx++) {
                        double px = x + (sx + 0.5) / SUB;
                        double py = y + (sy + 0.5) / SUB;
                        if (inPattern(labels.texture(), px, py, period)) {
                            pattern++;
                        }
                        if (labels.shape().covers((px - at.cx()) / at.radius(), (py - at.cy()) / at.radius())) {
                            shape++;
                        }
                    }
                }
                double t = pattern / (double) (SUB * SUB);
                double s = shape / (double) (SUB * SUB);
                for (int c = 0; c < 3; c++) {
                    double ground = base[c] + t * (shade[c] - base[c]);
                    double v = ground + s * (ink[c] - ground);
                    out[(y * side + x) * 3 + c] = (byte) Math.round(v);
                }
            }
        }
        return RgbImage.of(side, side, out);
    }

    private static boolean inPattern(Texture texture, double x, double y, double period) {
        return switch (texture) {
            case PLAIN -> false;
            case STRIPED -> {
                double phase = (x + y) % period;   // diagonal stripes, half the period wide
                yield phase < period / 2;
            }
            case DOTTED -> {
                double dx = (x % period) - period / 2;
                double dy = (y % period) - period / 2;
                yield dx * dx + dy * dy <= (0.25 * period) * (0.25 * period);
            }
        };
    }

    private static double[] rgb(Colour c) {
        return new double[] {c.channel(0), c.channel(1), c.channel(2)};
    }

    /** 20 % towards white on dark colours, towards black on light ones. */
    static double[] shade(Colour c) {
        double target = c.lab().l() < 60 ? 255 : 0;
        double[] out = rgb(c);
        for (int i = 0; i < 3; i++) {
            out[i] += SHADE * (target - out[i]);
        }
        return out;
    }
}
