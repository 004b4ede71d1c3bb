package org.sdti.model.schedulers;

import org.sdti.model.config.ConfigException;
import org.sdti.model.config.SchedulerConfig;

/**
 * The forward (noising) process of one model: betas, alphas and their cumulative product over the training
 * timesteps, plus the two training-time operations, {@code add_noise} and the v-prediction target. Values are
 * float32 computed the way diffusers/torch compute them, so they equal the reference bit for bit.
 */
public final class NoiseSchedule {
    private final float[] betas;
    private final float[] alphas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        this.alphas = new float[betas.length];
        for (int i = 0; i < betas.length; i++) {
            alphas[i] = 1f - betas[i];
        }
        this.alphasCumprod = TorchFloat.cumprod(alphas);
    }

    /** The schedule of {@code cfg}, honouring {@code rescale_betas_zero_snr}. */
    public static NoiseSchedule from(SchedulerConfig cfg) {
        return from(cfg, true);
    }

    /** {@code honourRescale=false} for DPM-Solver, whose 0.25.1 constructor has no rescale option. */
    static NoiseSchedule from(SchedulerConfig cfg, boolean honourRescale) {
        int n = cfg.numTrainTimesteps();
        if (n < 2) {
            throw new ConfigException(cfg.source() + ": key 'num_train_timesteps' must be at least 2, got " + n);
        }
        float[] betas;
        double[] trained = cfg.trainedBetas();
        if (trained != null) {
            if (trained.length != n) {
                throw new ConfigException(cfg.source() + ": key 'trained_betas' has " + trained.length
                        + " values but num_train_timesteps is " + n);
            }
            betas = new float[n];
            for (int i = 0; i < n; i++) {
                betas[i] = (float) trained[i];
            }
        } else {
            betas = switch (cfg.betaSchedule()) {
                case "linear" -> TorchFloat.linspace((float) cfg.betaStart(), (float) cfg.betaEnd(), n);
                case "scaled_linear" -> squared(TorchFloat.linspace(
                        (float) Math.sqrt(cfg.betaStart()), (float) Math.sqrt(cfg.betaEnd()), n));
                case "squaredcos_cap_v2" -> cosine(n);
                default -> throw new ConfigException(cfg.source() + ": key 'beta_schedule' = \""
                        + cfg.betaSchedule() + "\" is not supported");
            };
        }
        if (honourRescale && cfg.rescaleBetasZeroSnr()) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        return new NoiseSchedule(betas);
    }

    private static float[] squared(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * x[i];
        }
        return out;
    }

    /** Improved-DDPM cosine schedule ({@code betas_for_alpha_bar}), computed in double like diffusers. */
    private static float[] cosine(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double a1 = alphaBar(i / (double) n);
            double a2 = alphaBar((i + 1) / (double) n);
            out[i] = (float) Math.min(1 - a2 / a1, 0.999);
        }
        return out;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** Lin et al. 2023, Algorithm 1: shift and scale sqrt(alphas_cumprod) so the last timestep has zero SNR. */
    private static float[] rescaleZeroTerminalSnr(float[] betas) {
        int n = betas.length;
        float[] alphas = new float[n];
        for (int i = 0; i < n; i++) {
            alphas[i] = 1f - betas[i];
        }
        float[] sqrtBar = TorchFloat.cumprod(alphas);
        for (int i = 0; i < n; i++) {
            sqrtBar[i] = TorchFloat.sqrt(sqrtBar[i]);
        }
        float first = sqrtBar[0];
        float last = sqrtBar[n - 1];
        float scale = first / (first - last);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float s = (sqrtBar[i] - last) * scale;
            bar[i] = s * s;
        }
        float[] out = new float[n];
        out[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - bar[i] / bar[i - 1];
        }
        return out;
    }

    public int numTrainTimesteps() {
        return betas.length;
    }

    public float[] betas() {
        return betas.clone();
    }

    public float[] alphas() {
        return alphas.clone();
    }

    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** alphas_cumprod[t]. */
    public float alphaCumprod(long t) {
        return alphasCumprod[index(t)];
    }

    /**
     * {@code sqrt(acp[t]) * x0 + sqrt(1 - acp[t]) * noise}, one timestep per sample; the arrays hold
     * {@code t.length} samples of {@code perSample} values each.
     */
    public float[] addNoise(float[] x0, float[] noise, long[] t, int perSample) {
        return mix(x0, noise, t, perSample, false);
    }

    /** The v-prediction target {@code sqrt(acp[t]) * noise - sqrt(1 - acp[t]) * x0}, shaped like {@link #addNoise}. */
    public float[] velocity(float[] x0, float[] noise, long[] t, int perSample) {
        return mix(x0, noise, t, perSample, true);
    }

    private float[] mix(float[] x0, float[] noise, long[] t, int perSample, boolean velocity) {
        if (perSample <= 0 || x0.length != (long) t.length * perSample || noise.length != x0.length) {
            throw new IllegalArgumentException("expected " + t.length + " samples of " + perSample
                    + " values, got x0 " + x0.length + " and noise " + noise.length);
        }
        float[] out = new float[x0.length];
        for (int s = 0; s < t.length; s++) {
            float a = alphaCumprod(t[s]);
            float signal = TorchFloat.sqrt(a);
            float noiseScale = TorchFloat.sqrt(1f - a);
            for (int i = s * perSample, end = i + perSample; i < end; i++) {
                out[i] = velocity
                        ? signal * noise[i] - noiseScale * x0[i]
                        : signal * x0[i] + noiseScale * noise[i];
            }
        }
        return out;
    }

    /** sqrt((1 - acp) / acp) per training timestep: the noise level in the variance-exploding view. */
    float[] sigmas() {
        return sigmas(alphasCumprod);
    }

    static float[] sigmas(float[] alphasCumprod) {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = TorchFloat.sqrt((1f - alphasCumprod[i]) / alphasCumprod[i]);
        }
        return s;
    }

    private int index(long t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside [0, " + alphasCumprod.length + ")");
        }
        return (int) t;
    }
}
