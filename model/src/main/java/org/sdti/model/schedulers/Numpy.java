package org.sdti.model.schedulers;

/**
 * The numpy 1.24 float64 routines diffusers builds its timestep grids with, including their exact rounding
 * ({@code np.round} is round-half-to-even, {@code np.arange} with a float step fills {@code start + i*(step')}).
 */
final class Numpy {
    private Numpy() {}

    /** {@code np.linspace(start, stop, num)} (endpoint included): {@code i*step + start}, last element = stop. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        int div = num - 1;
        double delta = stop - start;
        if (div > 0) {
            double step = delta / div;
            for (int i = 0; i < num; i++) {
                y[i] = step == 0 ? i / (double) div * delta + start : i * step + start;
            }
            y[num - 1] = stop;
        } else {
            for (int i = 0; i < num; i++) {
                y[i] = i * delta + start;
            }
        }
        return y;
    }

    /**
     * {@code np.arange(start, stop, step)} for floats: length {@code ceil((stop-start)/step)}; the fill uses the
     * difference between the first two elements, not {@code step} itself, which matters for the length and the
     * last digits.
     */
    static double[] arange(double start, double stop, double step) {
        double len = Math.ceil((stop - start) / step);
        if (!(len > 0)) {
            return new double[0];
        }
        double[] y = new double[(int) len];
        y[0] = start;
        if (y.length > 1) {
            y[1] = start + step;
            double delta = y[1] - y[0];
            for (int i = 2; i < y.length; i++) {
                y[i] = start + i * delta;
            }
        }
        return y;
    }

    /** {@code np.round}: half to even. */
    static double round(double x) {
        return Math.rint(x);
    }

    /** {@code np.interp(x, arange(len(fp)), fp)} for x inside [0, len-1]; clamps outside like numpy. */
    static double interp(double x, float[] fp) {
        int last = fp.length - 1;
        if (x <= 0) {
            return fp[0];
        }
        if (x >= last) {
            return fp[last];
        }
        int j = (int) Math.floor(x);
        if (j == x) {
            return fp[j];
        }
        double slope = ((double) fp[j + 1] - fp[j]) / ((j + 1) - j);
        return slope * (x - j) + fp[j];
    }
}
