package org.sdti.model.schedulers;

/**
 * The few float32 tensor operations of torch 1.13 (CPU) whose rounding the schedules depend on, reproduced so that
 * betas and alphas_cumprod equal diffusers' bit for bit (the goldens were made on an AVX2 build).
 */
final class TorchFloat {
    private static final int LANES = 8; // one AVX2 vector of floats

    private TorchFloat() {}

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)}. The kernel fills the first half upwards from
     * {@code start} and the second half downwards from {@code end}; it works in 8-lane vectors, two per loop turn,
     * whose first lane is {@code start + step*idx} (compiled to a fused multiply-add) and whose other lanes add
     * {@code lane*step} to it. Leftover elements take the scalar path. Using the plain formula instead differs from
     * torch by one ulp in about a quarter of SD's betas.
     */
    static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (float) (steps - 1);
        int halfway = steps / 2;
        int idx = 0;
        for (; idx + 2 * LANES <= steps; idx += LANES) {
            float base = element(start, end, step, halfway, steps, idx);
            for (int lane = 0; lane < LANES; lane++) {
                out[idx + lane] = Math.fma((float) lane, step, base);
            }
            idx += LANES;
            base = element(start, end, step, halfway, steps, idx);
            for (int lane = 0; lane < LANES; lane++) {
                out[idx + lane] = Math.fma((float) lane, step, base);
            }
        }
        for (; idx < steps; idx++) {
            out[idx] = element(start, end, step, halfway, steps, idx);
        }
        return out;
    }

    private static float element(float start, float end, float step, int halfway, int steps, int idx) {
        return idx < halfway
                ? Math.fma(step, (float) idx, start)
                : Math.fma(-step, (float) (steps - idx - 1), end);
    }

    /** {@code torch.cumprod} of a float32 tensor: torch accumulates in double and rounds each output. */
    static float[] cumprod(float[] x) {
        float[] out = new float[x.length];
        double acc = 1.0;
        for (int i = 0; i < x.length; i++) {
            acc *= x[i];
            out[i] = (float) acc;
        }
        return out;
    }

    /** {@code t ** 0.5} on a float32 tensor (torch dispatches exponent 0.5 to a correctly rounded sqrt). */
    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }

    /**
     * {@code torch.exp} of a float32 tensor, correctly rounded. torch's CPU kernel (a vectorised 1-ulp expf)
     * can differ in the last bit; DPM-Solver's log-SNR steps then drift by a few ulps of the sample's scale.
     */
    static float exp(float x) {
        return (float) Math.exp(x);
    }

    /** {@code torch.log} of a float32 tensor, correctly rounded (see {@link #exp}). */
    static float log(float x) {
        return (float) Math.log(x);
    }
}
