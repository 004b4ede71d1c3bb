package org.sdti.model.schedulers;

import org.sdti.model.config.SchedulerConfig;

/**
 * Euler's method on the probability-flow ODE in sigma space (Karras et al. 2022, Algorithm 2 without churn), as
 * diffusers' EulerDiscreteScheduler: sigmas are interpolated at (possibly fractional) timesteps, the U-Net input is
 * divided by sqrt(sigma^2 + 1), and each step moves along the derivative (x - x0) / sigma to the next sigma.
 */
final class EulerSampler implements Sampler {
    private final Prediction prediction;
    private final float[] timesteps;
    private final float[] sigmas;
    private final float initNoiseSigma;
    private final boolean karras;

    private EulerSampler(SchedulerConfig cfg, int steps) {
        Settings.checkSteps(cfg, steps);
        String interpolation = Settings.optString(cfg, "interpolation_type", "linear");
        if (!interpolation.equals("linear")) {
            throw Settings.unsupported(cfg, "interpolation_type", "\"" + interpolation + "\"", "only linear");
        }
        this.prediction = Prediction.of(cfg);
        String timestepType = Settings.optString(cfg, "timestep_type", "discrete");
        if (!timestepType.equals("discrete") && prediction == Prediction.V_PREDICTION) {
            throw Settings.unsupported(cfg, "timestep_type", "\"" + timestepType + "\"",
                    "continuous-time v-prediction models are not supported; only discrete");
        }
        this.karras = Settings.optBool(cfg, "use_karras_sigmas", false);
        TimestepSpacing spacing = TimestepSpacing.of(cfg, TimestepSpacing.LINSPACE);

        float[] alphasCumprod = NoiseSchedule.from(cfg).alphasCumprod();
        if (cfg.rescaleBetasZeroSnr()) {
            // zero terminal SNR would make the first sigma infinite; diffusers substitutes 2^-24
            alphasCumprod[alphasCumprod.length - 1] = 0x1p-24f;
        }
        float[] trainSigmas = NoiseSchedule.sigmas(alphasCumprod);
        float[] t = spacing.euler(cfg.numTrainTimesteps(), steps, cfg.stepsOffset());
        double[] s = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            s[i] = Numpy.interp(t[i], trainSigmas);
        }
        if (karras) {
            double sigmaMin = cfg.isSet("sigma_min") ? cfg.json().optDouble("sigma_min", 0) : s[s.length - 1];
            double sigmaMax = cfg.isSet("sigma_max") ? cfg.json().optDouble("sigma_max", 0) : s[0];
            s = Karras.sigmas(sigmaMin, sigmaMax, steps);
            float[] logSigmas = Karras.logSigmas(trainSigmas);
            t = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                t[i] = (float) Karras.sigmaToT(s[i], logSigmas);
            }
        }
        this.timesteps = t;
        this.sigmas = new float[s.length + 1]; // ends at sigma 0: the last step lands on the clean sample
        float max = 0f;
        for (int i = 0; i < s.length; i++) {
            sigmas[i] = (float) s[i];
            max = Math.max(max, sigmas[i]);
        }
        this.initNoiseSigma = spacing == TimestepSpacing.LEADING ? TorchFloat.sqrt(max * max + 1f) : max;
    }

    static EulerSampler create(SchedulerConfig cfg, int steps) {
        return new EulerSampler(cfg, steps);
    }

    @Override
    public String name() {
        return Samplers.EULER;
    }

    @Override
    public double[] timesteps() {
        double[] t = new double[timesteps.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = timesteps[i];
        }
        return t;
    }

    /** The N+1 noise levels, the last one 0. */
    float[] sigmas() {
        return sigmas.clone();
    }

    boolean usesKarrasSigmas() {
        return karras;
    }

    @Override
    public float initNoiseSigma() {
        return initNoiseSigma;
    }

    @Override
    public float[] scaleModelInput(float[] x, int stepIndex) {
        float sigma = sigmas[stepIndex];
        float scale = TorchFloat.sqrt(sigma * sigma + 1f);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / scale;
        }
        return out;
    }

    @Override
    public boolean isStochastic() {
        return false;
    }

    @Override
    public StepResult step(float[] modelOutput, int stepIndex, float[] x, NoiseSource noise) {
        Settings.checkShapes(modelOutput, x);
        float sigma = sigmas[stepIndex];
        float dt = sigmas[stepIndex + 1] - sigma;
        float vScale = -sigma / TorchFloat.sqrt(sigma * sigma + 1f);
        float vDivisor = sigma * sigma + 1f;
        float[] x0 = new float[x.length];
        float[] prevSample = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x0[i] = switch (prediction) {
                case EPSILON -> x[i] - sigma * modelOutput[i];
                case V_PREDICTION -> modelOutput[i] * vScale + x[i] / vDivisor;
                case SAMPLE -> modelOutput[i];
            };
            float derivative = (x[i] - x0[i]) / sigma;
            prevSample[i] = x[i] + derivative * dt;
        }
        return new StepResult(prevSample, x0);
    }
}
