package org.sdti.model.schedulers;

import org.sdti.model.config.SchedulerConfig;

/**
 * DDIM (Song et al. 2021) as diffusers' DDIMScheduler: deterministic for eta = 0; eta > 0 adds
 * {@code eta * sqrt(posterior variance) * z} and shrinks the noise direction to match.
 */
final class DdimSampler implements Sampler {
    private final NoiseSchedule schedule;
    private final Prediction prediction;
    private final long[] timesteps;
    private final int stride;
    private final float finalAlphaCumprod;
    private final float clipRange;
    private final float eta;

    private DdimSampler(SchedulerConfig cfg, int steps, double eta) {
        Settings.checkSteps(cfg, steps);
        Settings.rejectThresholding(cfg);
        this.schedule = NoiseSchedule.from(cfg);
        this.prediction = Prediction.of(cfg);
        this.timesteps = TimestepSpacing.of(cfg, TimestepSpacing.LEADING)
                .ddim(cfg.numTrainTimesteps(), steps, cfg.stepsOffset());
        // diffusers steps back by T // N whatever the spacing, not to the next grid timestep
        this.stride = cfg.numTrainTimesteps() / steps;
        // set_alpha_to_one=false (SD) makes the final step land on t=0's alpha instead of a clean 1.0
        this.finalAlphaCumprod = cfg.setAlphaToOne() ? 1f : schedule.alphaCumprod(0);
        this.clipRange = cfg.clipSample() ? (float) cfg.clipSampleRange() : Float.NaN;
        this.eta = (float) eta;
    }

    static DdimSampler create(SchedulerConfig cfg, int steps, double eta) {
        return new DdimSampler(cfg, steps, eta);
    }

    @Override
    public String name() {
        return Samplers.DDIM;
    }

    @Override
    public double[] timesteps() {
        return Sampler.asDoubles(timesteps);
    }

    @Override
    public boolean isStochastic() {
        return eta > 0;
    }

    @Override
    public StepResult step(float[] modelOutput, int stepIndex, float[] x, NoiseSource noise) {
        Settings.checkShapes(modelOutput, x);
        long t = timesteps[stepIndex];
        long prev = t - stride;
        float a = schedule.alphaCumprod(t);
        float aPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;

        float[] x0 = VpEstimates.x0(prediction, modelOutput, x, a);
        float[] eps = VpEstimates.epsilon(prediction, modelOutput, x, x0, a);
        if (!Float.isNaN(clipRange)) {
            Settings.clip(x0, clipRange);
        }
        float std = eta * TorchFloat.sqrt(variance(a, aPrev));
        float direction = TorchFloat.sqrt(1f - aPrev - std * std);
        float signal = TorchFloat.sqrt(aPrev);
        float[] prevSample = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            prevSample[i] = signal * x0[i] + direction * eps[i];
        }
        if (eta > 0) {
            float[] z = Settings.noise(noise, modelOutput.length, name());
            for (int i = 0; i < x.length; i++) {
                prevSample[i] = prevSample[i] + std * z[i];
            }
        }
        return new StepResult(prevSample, x0);
    }

    /** The DDPM posterior variance between the two timesteps (eq. 16 of the DDIM paper with eta = 1). */
    static float variance(float a, float aPrev) {
        return ((1f - aPrev) / (1f - a)) * (1f - a / aPrev);
    }
}
