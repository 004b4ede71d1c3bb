package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sdti.model.schedulers.SchedulerFixtures.floats;
import static org.sdti.model.schedulers.SchedulerFixtures.row;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdti.model.config.SchedulerConfig;

/** DDIM with eta > 0 has no golden; check it against the formula and against DDPM (eta = 1). */
class DdimEtaSamplerTest {
    private static final int STEPS = SchedulerFixtures.SEQ_STEPS;

    @ParameterizedTest
    @ValueSource(strings = {"DDIMScheduler.epsilon", "DDIMScheduler.v_prediction"})
    void etaZeroIsTheGolden(String group) {
        SchedulerConfig cfg = SchedulerFixtures.config(group);
        Sampler s = Samplers.create("ddim", cfg, STEPS, new SamplerOptions(0.0));
        float[] x = floats("seq.x_T");
        float[] golden = floats(group + ".seq.prev_sample");
        for (int i = 0; i < STEPS; i++) {
            x = s.step(row(floats("seq.model_outputs"), i, STEPS), i, x, null).prevSample();
            assertArrayEquals(row(golden, i, STEPS), x);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"DDIMScheduler.epsilon", "DDIMScheduler.v_prediction"})
    void etaAddsExactlyItsScaledNoiseToTheShrunkenMean(String group) {
        SchedulerConfig cfg = SchedulerFixtures.config(group);
        float[] acp = NoiseSchedule.from(cfg).alphasCumprod();
        double eta = 0.7;
        Sampler s = Samplers.create("ddim", cfg, STEPS, new SamplerOptions(eta));
        double[] t = s.timesteps();
        float[] xs = floats(group + ".seq.prev_sample");
        float[] x = floats("seq.x_T");
        for (int i = 0; i < STEPS; i++) {
            float[] out = row(floats("seq.model_outputs"), i, STEPS);
            float[] z = NoiseSource.seeded(i).gaussian(x.length);
            StepResult noisy = s.step(out, i, x, n -> z);
            StepResult mean = s.step(out, i, x, n -> new float[n]);

            // hand-derived in double: sigma = eta sqrt((1-a')/(1-a) (1 - a/a')), mean = sqrt(a') x0 + sqrt(1-a'-sigma^2) eps
            int ti = (int) t[i];
            double a = acp[ti];
            double aPrev = ti - 100 >= 0 ? acp[ti - 100] : acp[0]; // set_alpha_to_one = false
            double sigma = eta * Math.sqrt((1 - aPrev) / (1 - a) * (1 - a / aPrev));
            for (int k = 0; k < x.length; k++) {
                double x0 = cfg.isVPrediction()
                        ? Math.sqrt(a) * x[k] - Math.sqrt(1 - a) * out[k]
                        : (x[k] - Math.sqrt(1 - a) * out[k]) / Math.sqrt(a);
                double eps = cfg.isVPrediction() ? Math.sqrt(a) * out[k] + Math.sqrt(1 - a) * x[k] : out[k];
                double expectedMean = Math.sqrt(aPrev) * x0 + Math.sqrt(1 - aPrev - sigma * sigma) * eps;
                assertEquals(expectedMean, mean.prevSample()[k], 2e-5 * Math.max(1, Math.abs(expectedMean)));
                assertEquals(sigma * z[k], noisy.prevSample()[k] - mean.prevSample()[k], 2e-6 * Math.max(1, Math.abs(x[k])));
            }
            x = row(xs, i, STEPS); // stay on the reference trajectory
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"DDIMScheduler.epsilon", "DDIMScheduler.v_prediction"})
    void etaOneIsAncestralDdpm(String group) {
        // DDIM's eta = 1 is the DDPM posterior (Song et al. 2021, sec. 4.1); same grid, same noise, same result.
        // Not on the last step: there DDIM steps to alphas_cumprod[0] (set_alpha_to_one=false), DDPM to 1.
        SchedulerConfig cfg = SchedulerFixtures.config(group);
        Sampler ddim = Samplers.create("ddim", cfg, STEPS, new SamplerOptions(1.0));
        Sampler ddpm = Samplers.create("ddpm", cfg, STEPS);
        float[] a = floats("seq.x_T");
        float[] b = a.clone();
        double max = 0;
        for (int i = 0; i < STEPS - 1; i++) {
            float[] out = row(floats("seq.model_outputs"), i, STEPS);
            float[] z = NoiseSource.seeded(100 + i).gaussian(a.length);
            a = ddim.step(out, i, a, n -> z).prevSample();
            b = ddpm.step(out, i, b, n -> z).prevSample();
            max = Math.max(max, SchedulerFixtures.maxAbs(a, b));
        }
        assertEquals(0, max, 1e-5);
    }
}
