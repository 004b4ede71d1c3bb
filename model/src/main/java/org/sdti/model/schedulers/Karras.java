package org.sdti.model.schedulers;

/**
 * Karras et al. (2022) noise levels, and the inverse map from a noise level back to a fractional training
 * timestep, both in float64 like diffusers' numpy code.
 */
final class Karras {
    static final double RHO = 7.0;

    private Karras() {}

    /** n levels from sigmaMax down to sigmaMin, evenly spaced in sigma^(1/rho). */
    static double[] sigmas(double sigmaMin, double sigmaMax, int n) {
        double[] ramp = Numpy.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / RHO);
        double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
        }
        return out;
    }

    /**
     * The fractional timestep whose log-sigma {@code sigma} falls on, interpolating linearly in log-sigma between
     * the two neighbouring training timesteps. {@code logSigmas} are float32 (ascending in t), and numpy compares
     * against them in float32, hence the cast.
     */
    static double sigmaToT(double sigma, float[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        float logSigma32 = (float) logSigma;
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma32 >= logSigmas[i]) {
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        int high = low + 1;
        double lo = logSigmas[low];
        double hi = logSigmas[high];
        double w = (lo - logSigma) / (lo - hi);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * low + w * high;
    }

    /** {@code np.log} of the float32 training sigmas (numpy's own float32 log; only feeds rounded timesteps). */
    static float[] logSigmas(float[] sigmas) {
        float[] out = new float[sigmas.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(sigmas[i]);
        }
        return out;
    }
}
