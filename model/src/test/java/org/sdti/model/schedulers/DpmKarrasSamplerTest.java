package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sdti.model.schedulers.SchedulerFixtures.floats;
import static org.sdti.model.schedulers.SchedulerFixtures.row;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdti.model.config.SchedulerConfig;

/** DPM-Solver++ 2M with Karras sigmas has no golden: check the schedule's defining properties and the loop. */
class DpmKarrasSamplerTest {
    private static final SchedulerConfig CFG = SchedulerFixtures.config("DPMSolverMultistepScheduler.epsilon");

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 10, 25, 50})
    void sigmasRunFromSigmaMaxToSigmaMinEvenlyInSigmaToTheOneOverRho(int n) {
        float[] train = NoiseSchedule.from(CFG).sigmas();
        DpmSolverSampler s = (DpmSolverSampler) Samplers.create("dpmpp-2m-karras", CFG, n);
        float[] sigmas = s.sigmas();
        assertEquals(n + 1, sigmas.length);
        assertEquals(train[999], sigmas[0], train[999] * 1e-6, "first sigma = sigma_max");
        if (n > 1) {
            assertEquals(train[0], sigmas[n - 1], train[0] * 1e-6, "last level = sigma_min");
        }
        assertEquals(sigmas[n - 1], sigmas[n], 0f, "the loop ends at sigma_min (repeated)");
        double step = n > 1 ? (Math.pow(train[0], 1 / 7.0) - Math.pow(train[999], 1 / 7.0)) / (n - 1) : 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                assertTrue(sigmas[i] < sigmas[i - 1], "strictly decreasing");
            }
            double expected = Math.pow(Math.pow(train[999], 1 / 7.0) + i * step, 7);
            assertEquals(expected, sigmas[i], expected * 1e-6, "sigma_i^(1/7) is linear in i");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 10, 25})
    void timestepsAreTheRoundedLogSigmaPositions(int n) {
        float[] train = NoiseSchedule.from(CFG).sigmas();
        Sampler s = Samplers.create("dpmpp-2m-karras", CFG, n);
        float[] sigmas = ((DpmSolverSampler) s).sigmas();
        double[] t = s.timesteps();
        assertEquals(999, t[0], 0);
        assertEquals(0, t[n - 1], 0);
        for (int i = 0; i < n; i++) {
            // position of log(sigma) between the bracketing training timesteps
            double ls = Math.log(sigmas[i]);
            int j = 0;
            while (j < 998 && Math.log(train[j + 1]) <= ls) {
                j++;
            }
            double frac = (ls - Math.log(train[j])) / (Math.log(train[j + 1]) - Math.log(train[j]));
            double expected = Math.rint(j + Math.max(0, Math.min(1, frac)));
            assertEquals(expected, t[i], 0, "timestep " + i);
            if (i > 0) {
                assertTrue(t[i] <= t[i - 1]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"DPMSolverMultistepScheduler.epsilon", "DPMSolverMultistepScheduler.v_prediction"})
    void tenStepLoopRunsAndTheFinalStepStaysAtSigmaMin(String group) {
        int steps = SchedulerFixtures.SEQ_STEPS;
        Sampler karras = Samplers.create("dpmpp-2m-karras", SchedulerFixtures.config(group), steps);
        assertEquals("dpmpp-2m-karras", karras.name());
        assertEquals(1f, karras.initNoiseSigma(), 0f);
        float[] x = floats("seq.x_T");
        float[] before = x;
        for (int i = 0; i < steps; i++) {
            float[] out = row(floats("seq.model_outputs"), i, steps);
            assertArrayEquals(x, karras.scaleModelInput(x, i));
            StepResult r = karras.step(out, i, x, null);
            for (float v : r.prevSample()) {
                assertTrue(Float.isFinite(v));
            }
            before = x;
            x = r.prevSample();
        }
        // diffusers 0.25.1 repeats sigma_min as the final level, so h = 0 and the last update is the identity
        assertArrayEquals(before, x);
    }
}
