package org.sdti.model.schedulers;

import org.sdti.model.config.SchedulerConfig;

/**
 * Ancestral DDPM sampling (Ho et al. 2020) as diffusers' DDPMScheduler: the posterior mean of x_{t-k} given the
 * predicted x0, plus fresh noise scaled by the posterior standard deviation at every step with t > 0.
 */
final class DdpmSampler implements Sampler {
    private enum Variance { FIXED_SMALL, FIXED_SMALL_LOG, FIXED_LARGE }

    private final NoiseSchedule schedule;
    private final Prediction prediction;
    private final long[] timesteps;
    private final int stride;
    private final float clipRange;
    private final Variance variance;

    private DdpmSampler(SchedulerConfig cfg, int steps) {
        Settings.checkSteps(cfg, steps);
        Settings.rejectThresholding(cfg);
        this.schedule = NoiseSchedule.from(cfg);
        this.prediction = Prediction.of(cfg);
        this.timesteps = TimestepSpacing.of(cfg, TimestepSpacing.LEADING)
                .ddim(cfg.numTrainTimesteps(), steps, cfg.stepsOffset());
        this.stride = cfg.numTrainTimesteps() / steps;
        this.clipRange = cfg.clipSample() ? (float) cfg.clipSampleRange() : Float.NaN;
        String type = Settings.optString(cfg, "variance_type", "fixed_small");
        this.variance = switch (type) {
            case "fixed_small" -> Variance.FIXED_SMALL;
            case "fixed_small_log" -> Variance.FIXED_SMALL_LOG;
            case "fixed_large" -> Variance.FIXED_LARGE;
            default -> throw Settings.unsupported(cfg, "variance_type", "\"" + type + "\"",
                    "expected fixed_small, fixed_small_log or fixed_large; learned variances need a U-Net that predicts them");
        };
    }

    static DdpmSampler create(SchedulerConfig cfg, int steps) {
        return new DdpmSampler(cfg, steps);
    }

    @Override
    public String name() {
        return Samplers.DDPM;
    }

    @Override
    public double[] timesteps() {
        return Sampler.asDoubles(timesteps);
    }

    @Override
    public boolean isStochastic() {
        return true;
    }

    @Override
    public StepResult step(float[] modelOutput, int stepIndex, float[] x, NoiseSource noise) {
        Settings.checkShapes(modelOutput, x);
        long t = timesteps[stepIndex];
        long prev = t - stride;
        float a = schedule.alphaCumprod(t);
        float aPrev = prev >= 0 ? schedule.alphaCumprod(prev) : 1f;
        float beta = 1f - a;
        float betaPrev = 1f - aPrev;
        float currentAlpha = a / aPrev;
        float currentBeta = 1f - currentAlpha;

        float[] x0 = VpEstimates.x0(prediction, modelOutput, x, a);
        if (!Float.isNaN(clipRange)) {
            Settings.clip(x0, clipRange);
        }
        float x0Coeff = (TorchFloat.sqrt(aPrev) * currentBeta) / beta;
        float xCoeff = TorchFloat.sqrt(currentAlpha) * betaPrev / beta;
        float[] prevSample = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            prevSample[i] = x0Coeff * x0[i] + xCoeff * x[i];
        }
        if (t > 0) {
            float[] z = Settings.noise(noise, modelOutput.length, name());
            float std = standardDeviation(a, aPrev, currentBeta);
            for (int i = 0; i < x.length; i++) {
                prevSample[i] = prevSample[i] + std * z[i];
            }
        }
        return new StepResult(prevSample, x0);
    }

    private float standardDeviation(float a, float aPrev, float currentBeta) {
        // posterior variance; the clamp keeps the log (and the last step's sqrt) finite
        float posterior = Math.max((1f - aPrev) / (1f - a) * currentBeta, 1e-20f);
        return switch (variance) {
            case FIXED_SMALL -> TorchFloat.sqrt(posterior);
            case FIXED_SMALL_LOG -> TorchFloat.exp(0.5f * TorchFloat.log(posterior));
            case FIXED_LARGE -> TorchFloat.sqrt(currentBeta);
        };
    }
}
