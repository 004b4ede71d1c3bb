package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sdti.model.config.SchedulerConfig;

/**
 * Timestep grids the goldens do not cover (trailing, linspace DDIM, leading DPM/Euler). Expected values were
 * worked out with numpy from diffusers' formulas, including np.arange's float-step fill and half-to-even rounding.
 */
class SamplerSpacingTest {
    private static SchedulerConfig cfg(String spacing, String extra) {
        return SchedulerFixtures.config("/m/scheduler/scheduler_config.json", "{\"beta_schedule\": \"scaled_linear\","
                + " \"beta_start\": 0.00085, \"beta_end\": 0.012, \"steps_offset\": 1, \"clip_sample\": false,"
                + " \"set_alpha_to_one\": false, \"timestep_spacing\": \"" + spacing + "\"" + extra + "}");
    }

    private static double[] d(long... v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    @Test
    void trailing() {
        assertArrayEquals(d(999, 666, 332), Samplers.create("ddim", cfg("trailing", ""), 3).timesteps());
        assertArrayEquals(d(999, 856, 713, 570, 428, 285, 142), Samplers.create("ddpm", cfg("trailing", ""), 7).timesteps());
        assertArrayEquals(d(999, 888, 777, 666, 555, 443, 332, 221, 110),
                Samplers.create("euler", cfg("trailing", ""), 9).timesteps());
        assertArrayEquals(d(999, 899, 799, 699, 599, 499, 399, 299, 199, 99),
                Samplers.create("dpmpp-2m", cfg("trailing", ""), 10).timesteps());
    }

    @Test
    void linspaceRoundsHalfToEven() {
        assertArrayEquals(d(999, 666, 333, 0), Samplers.create("ddim", cfg("linspace", ""), 4).timesteps());
        // np.linspace(0, 999, 5) = [0, 249.75, 499.5, 749.25, 999] -> DPM keeps 999, 749, 500, 250
        assertArrayEquals(d(999, 749, 500, 250), Samplers.create("dpmpp-2m", cfg("linspace", ""), 4).timesteps());
    }

    @Test
    void leadingAddsTheOffset() {
        // DPM: 1000 // 11 = 90 per step over N+1 intervals
        assertArrayEquals(d(901, 811, 721, 631, 541, 451, 361, 271, 181, 91),
                Samplers.create("dpmpp-2m", cfg("leading", ""), 10).timesteps());
        Sampler euler = Samplers.create("euler", cfg("leading", ""), 10);
        assertArrayEquals(d(901, 801, 701, 601, 501, 401, 301, 201, 101, 1), euler.timesteps());
        float[] train = NoiseSchedule.from(cfg("leading", "")).sigmas();
        // leading Euler starts from sqrt(sigma_max^2 + 1), sigma_max being sigma(901)
        assertEquals(TorchFloat.sqrt(train[901] * train[901] + 1f), euler.initNoiseSigma(), 0f);
    }

    @Test
    void eulerKarrasSigmasAndFractionalTimesteps() {
        Sampler s = Samplers.create("euler", cfg("linspace", ", \"use_karras_sigmas\": true"), 10);
        float[] sigmas = ((EulerSampler) s).sigmas();
        float[] train = NoiseSchedule.from(cfg("linspace", "")).sigmas();
        assertEquals(train[999], sigmas[0], train[999] * 1e-6);
        assertEquals(train[0], sigmas[9], train[0] * 1e-6);
        assertEquals(0f, sigmas[10], 0f);
        assertEquals(sigmas[0], s.initNoiseSigma(), 0f);
        double[] t = s.timesteps();
        assertEquals(999, t[0], 1e-3);
        assertEquals(0, t[9], 1e-3);
        assertTrue(t[5] != Math.rint(t[5]), "Euler keeps fractional timesteps: " + t[5]);

        Sampler bounded = Samplers.create("euler",
                cfg("linspace", ", \"use_karras_sigmas\": true, \"sigma_min\": 0.1, \"sigma_max\": 10.0"), 10);
        float[] b = ((EulerSampler) bounded).sigmas();
        assertEquals(10.0, b[0], 1e-5);
        assertEquals(0.1, b[9], 1e-6);
    }

    @Test
    void zeroTerminalSnrRescale() {
        SchedulerConfig zsnr = cfg("trailing", ", \"rescale_betas_zero_snr\": true, \"prediction_type\": \"v_prediction\"");
        float[] acp = NoiseSchedule.from(zsnr).alphasCumprod();
        float[] plain = NoiseSchedule.from(cfg("trailing", "")).alphasCumprod();
        assertEquals(0f, acp[999], 1e-12f);
        assertEquals(plain[0], acp[0], 1e-7f);
        for (int i = 1; i < 1000; i++) {
            assertTrue(acp[i] <= acp[i - 1]);
        }
        // Euler replaces the infinite first sigma with that of alphas_cumprod = 2^-24
        Sampler euler = Samplers.create("euler", zsnr, 10);
        assertEquals((float) Math.sqrt((1 - 0x1p-24) / 0x1p-24), euler.initNoiseSigma(), 1f);
        // DPM-Solver 0.25.1 has no rescale option: its schedule ignores the key
        assertArrayEquals(NoiseSchedule.from(cfg("trailing", "")).sigmas(),
                NoiseSchedule.from(zsnr, false).sigmas());
    }

    @Test
    void otherBetaSchedules() {
        SchedulerConfig linear = SchedulerFixtures.config("/m/s.json", "{\"beta_schedule\": \"linear\"}");
        float[] b = NoiseSchedule.from(linear).betas();
        assertEquals(0.0001f, b[0], 0f);
        assertEquals(0.02f, b[999], 0f);
        SchedulerConfig cosine = SchedulerFixtures.config("/m/s.json", "{\"beta_schedule\": \"squaredcos_cap_v2\"}");
        float[] c = NoiseSchedule.from(cosine).betas();
        assertEquals(0.999f, c[999], 0f);
        assertTrue(c[0] > 0 && c[0] < 1e-4);
        SchedulerConfig trained = SchedulerFixtures.config("/m/s.json",
                "{\"num_train_timesteps\": 3, \"trained_betas\": [0.1, 0.2, 0.3]}");
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, NoiseSchedule.from(trained).betas());
        assertArrayEquals(new float[] {0.9f, 0.9f * 0.8f, (float) (0.9 * 0.8 * (double) 0.7f)},
                NoiseSchedule.from(trained).alphasCumprod(), 1e-7f);
    }
}
