package org.sdti.model.schedulers;

import org.sdti.model.config.SchedulerConfig;

/**
 * DPM-Solver++(2M) (Lu et al. 2022) as diffusers' DPMSolverMultistepScheduler with algorithm_type dpmsolver++ and
 * solver_order 2: each step converts the U-Net output to a data (x0) prediction and integrates the ODE in
 * log-SNR time, using the previous step's prediction for a second-order correction. The first step, and with
 * lower_order_final the last one of short schedules (&lt; 15 steps), are first order. Keeps the previous prediction,
 * so one instance serves one loop.
 */
final class DpmSolverSampler implements Sampler {
    private final Prediction prediction;
    private final long[] timesteps;
    private final float[] sigmas;
    private final boolean karras;
    private final boolean heun;
    private final boolean lowerOrderFinal;
    private final boolean eulerAtFinal;

    private float[] previousX0;
    private int lowerOrderSteps;
    private int nextStep;

    private DpmSolverSampler(SchedulerConfig cfg, int steps, boolean karras) {
        Settings.checkSteps(cfg, steps);
        Settings.rejectThresholding(cfg);
        this.prediction = Prediction.of(cfg);
        this.karras = karras;
        String solverType = Settings.optString(cfg, "solver_type", "midpoint");
        this.heun = switch (solverType) {
            case "heun" -> true;
            case "midpoint", "logrho", "bh1", "bh2" -> false; // diffusers maps the UniPC/DEIS names to midpoint
            default -> throw Settings.unsupported(cfg, "solver_type", "\"" + solverType + "\"", "expected midpoint or heun");
        };
        this.lowerOrderFinal = Settings.optBool(cfg, "lower_order_final", true);
        this.eulerAtFinal = Settings.optBool(cfg, "euler_at_final", false);
        if (Settings.optBool(cfg, "use_lu_lambdas", false)) {
            throw Settings.unsupported(cfg, "use_lu_lambdas", "true", "use dpmpp-2m or dpmpp-2m-karras");
        }
        String varianceType = Settings.optString(cfg, "variance_type", null);
        if (varianceType != null) {
            throw Settings.unsupported(cfg, "variance_type", "\"" + varianceType + "\"",
                    "learned variances need a U-Net that predicts them");
        }

        // diffusers 0.25.1's DPM-Solver has no rescale_betas_zero_snr option and ignores the key
        NoiseSchedule schedule = NoiseSchedule.from(cfg, false);
        float[] trainSigmas = schedule.sigmas();
        int train = cfg.numTrainTimesteps();
        int lastTimestep = train - clippedSteps(schedule.alphasCumprod(),
                Settings.optDouble(cfg, "lambda_min_clipped", Double.NEGATIVE_INFINITY));
        long[] t = TimestepSpacing.of(cfg, TimestepSpacing.LINSPACE).dpm(train, lastTimestep, steps, cfg.stepsOffset());
        if (karras) {
            // Karras levels between the extreme training sigmas; the timesteps follow from the levels
            double[] s = Karras.sigmas(trainSigmas[0], trainSigmas[train - 1], steps);
            float[] logSigmas = Karras.logSigmas(trainSigmas);
            t = new long[steps];
            this.sigmas = new float[steps + 1];
            for (int i = 0; i < steps; i++) {
                t[i] = (long) Numpy.round(Karras.sigmaToT(s[i], logSigmas));
                sigmas[i] = (float) s[i];
            }
            sigmas[steps] = sigmas[steps - 1];
        } else {
            this.sigmas = new float[t.length + 1];
            for (int i = 0; i < t.length; i++) {
                sigmas[i] = (float) Numpy.interp(t[i], trainSigmas);
            }
            // the last step ends at t=0's noise level, not at 0 (diffusers 0.25.1; later versions made this a setting)
            sigmas[t.length] = trainSigmas[0];
        }
        this.timesteps = t;
    }

    static DpmSolverSampler create(SchedulerConfig cfg, int steps, boolean karras) {
        return new DpmSolverSampler(cfg, steps, karras);
    }

    /** How many of the noisiest training timesteps lambda_min_clipped removes (log-SNR below the bound). */
    private static int clippedSteps(float[] alphasCumprod, double lambdaMin) {
        float bound = (float) lambdaMin;
        int clipped = 0;
        for (float a : alphasCumprod) {
            float lambda = TorchFloat.log(TorchFloat.sqrt(a)) - TorchFloat.log(TorchFloat.sqrt(1f - a));
            if (lambda < bound) {
                clipped++;
            }
        }
        return clipped;
    }

    @Override
    public String name() {
        return karras ? Samplers.DPMPP_2M_KARRAS : Samplers.DPMPP_2M;
    }

    @Override
    public double[] timesteps() {
        return Sampler.asDoubles(timesteps);
    }

    /** The N+1 noise levels; the last one is where the loop ends. */
    float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public boolean isStochastic() {
        return false;
    }

    @Override
    public StepResult step(float[] modelOutput, int stepIndex, float[] x, NoiseSource noise) {
        Settings.checkShapes(modelOutput, x);
        if (stepIndex != nextStep) {
            throw new IllegalStateException("DPM-Solver is multistep: expected step " + nextStep + ", got " + stepIndex
                    + " (create a new sampler for each loop)");
        }
        int n = timesteps.length;
        boolean firstOrderFinal = stepIndex == n - 1 && (eulerAtFinal || (lowerOrderFinal && n < 15));
        float[] x0 = dataPrediction(modelOutput, stepIndex, x);
        float[] prevSample = lowerOrderSteps < 1 || firstOrderFinal
                ? firstOrder(x0, stepIndex, x)
                : secondOrder(x0, previousX0, stepIndex, x);
        previousX0 = x0;
        lowerOrderSteps = Math.min(lowerOrderSteps + 1, 2);
        nextStep++;
        return new StepResult(prevSample, x0);
    }

    /** x_t = alpha_t x0 + sigma_t eps with alpha_t = 1/sqrt(sigma^2+1) (VE sigma to VP scale). */
    private static float alpha(float sigma) {
        return 1f / TorchFloat.sqrt(sigma * sigma + 1f);
    }

    private static float lambda(float alpha, float sigmaT) {
        return TorchFloat.log(alpha) - TorchFloat.log(sigmaT);
    }

    private float[] dataPrediction(float[] out, int i, float[] x) {
        float alpha = alpha(sigmas[i]);
        float sigmaT = sigmas[i] * alpha;
        float[] x0 = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            x0[k] = switch (prediction) {
                case EPSILON -> (x[k] - sigmaT * out[k]) / alpha;
                case V_PREDICTION -> alpha * x[k] - sigmaT * out[k];
                case SAMPLE -> out[k];
            };
        }
        return x0;
    }

    private float[] firstOrder(float[] x0, int i, float[] x) {
        float alphaT = alpha(sigmas[i + 1]);
        float sigmaT = sigmas[i + 1] * alphaT;
        float alphaS = alpha(sigmas[i]);
        float sigmaS = sigmas[i] * alphaS;
        float h = lambda(alphaT, sigmaT) - lambda(alphaS, sigmaS);
        float xScale = sigmaT / sigmaS;
        float x0Scale = alphaT * (TorchFloat.exp(-h) - 1f);
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            out[k] = xScale * x[k] - x0Scale * x0[k];
        }
        return out;
    }

    private float[] secondOrder(float[] m0, float[] m1, int i, float[] x) {
        float alphaT = alpha(sigmas[i + 1]);
        float sigmaT = sigmas[i + 1] * alphaT;
        float alphaS0 = alpha(sigmas[i]);
        float sigmaS0 = sigmas[i] * alphaS0;
        float alphaS1 = alpha(sigmas[i - 1]);
        float sigmaS1 = sigmas[i - 1] * alphaS1;
        float lambdaT = lambda(alphaT, sigmaT);
        float lambdaS0 = lambda(alphaS0, sigmaS0);
        float lambdaS1 = lambda(alphaS1, sigmaS1);
        float h = lambdaT - lambdaS0;
        float r0 = (lambdaS0 - lambdaS1) / h;
        float invR0 = 1f / r0;
        float xScale = sigmaT / sigmaS0;
        float expm1 = TorchFloat.exp(-h) - 1f;
        float d0Scale = alphaT * expm1;
        // midpoint: -0.5 * alpha_t (e^-h - 1) D1; heun: alpha_t ((e^-h - 1)/h + 1) D1
        float d1Scale = heun ? -(alphaT * (expm1 / h + 1f)) : 0.5f * d0Scale;
        float[] out = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            float d1 = invR0 * (m0[k] - m1[k]);
            out[k] = xScale * x[k] - d0Scale * m0[k] - d1Scale * d1;
        }
        return out;
    }
}
