package org.sdti.dataprep.world;

/**
 * A CIELAB colour (D65 white, 2° observer), where Euclidean distance (ΔE76) follows what people see as different
 * far better than distance in sRGB: the classifier names colours by it.
 */
public record Lab(double l, double a, double b) {
    private static final double XN = 0.95047;
    private static final double ZN = 1.08883;

    /** From 8-bit sRGB. */
    public static Lab ofSrgb(double r, double g, double b) {
        double lr = linear(r);
        double lg = linear(g);
        double lb = linear(b);
        double x = 0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb;
        double y = 0.2126729 * lr + 0.7151522 * lg + 0.0721750 * lb;
        double z = 0.0193339 * lr + 0.1191920 * lg + 0.9503041 * lb;
        double fx = f(x / XN);
        double fy = f(y);
        double fz = f(z / ZN);
        return new Lab(116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

    /** ΔE76. */
    public double distance(Lab o) {
        double dl = l - o.l;
        double da = a - o.a;
        double db = b - o.b;
        return Math.sqrt(dl * dl + da * da + db * db);
    }

    /** sRGB decoding of each 8-bit value; between two values linear interpolation (error below 1e-4). */
    private static final double[] LINEAR = linearTable();

    private static double linear(double c8) {
        double v = Math.max(0, Math.min(255, c8));
        int i = (int) Math.min(254, Math.floor(v));
        return LINEAR[i] + (v - i) * (LINEAR[i + 1] - LINEAR[i]);
    }

    private static double[] linearTable() {
        double[] out = new double[256];
        for (int i = 0; i < 256; i++) {
            double c = i / 255.0;
            out[i] = c <= 0.04045 ? c / 12.92 : StrictMath.pow((c + 0.055) / 1.055, 2.4);
        }
        return out;
    }

    private static double f(double t) {
        return t > 216.0 / 24389 ? StrictMath.cbrt(t) : (24389.0 / 27 * t + 16) / 116;
    }
}
