package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.sdti.model.config.ConfigException;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.testing.TestData;

class SamplerFactoryTest {
    private static final String FILE = "/models/x/scheduler/scheduler_config.json";

    private static SchedulerConfig json(String body) {
        return SchedulerFixtures.config(FILE, "{\"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085,"
                + " \"beta_end\": 0.012, \"num_train_timesteps\": 1000, \"steps_offset\": 1, \"clip_sample\": false,"
                + " \"set_alpha_to_one\": false" + (body.isEmpty() ? "" : ", " + body) + "}");
    }

    private static long[] longs(double[] t) {
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = (long) t[i];
        }
        return out;
    }

    @Test
    void knownClassesAreFollowed() {
        assertEquals(new SamplerChoice("ddim", false, ""), Samplers.choose(json("\"_class_name\": \"DDIMScheduler\"")));
        assertEquals("euler", Samplers.choose(json("\"_class_name\": \"EulerDiscreteScheduler\"")).name());
        assertEquals("ddpm", Samplers.choose(json("\"_class_name\": \"DDPMScheduler\"")).name());
        assertEquals("dpmpp-2m", Samplers.choose(json("\"_class_name\": \"DPMSolverMultistepScheduler\"")).name());
        SamplerChoice karras = Samplers.choose(json(
                "\"_class_name\": \"DPMSolverMultistepScheduler\", \"use_karras_sigmas\": true"));
        assertEquals(new SamplerChoice("dpmpp-2m-karras", false, ""), karras);
    }

    @Test
    void sd21BasePndmConfigFallsBackToDpmSolverWithANote() {
        SchedulerConfig cfg = SchedulerFixtures.config(TestData.path("reference/sd2/sd21-base/scheduler"));
        SamplerChoice choice = Samplers.choose(cfg);
        assertEquals(Samplers.FALLBACK, choice.name());
        assertEquals("dpmpp-2m", choice.name());
        assertTrue(choice.fallback());
        assertTrue(choice.note().contains("PNDMScheduler") && choice.note().contains("scheduler_config.json"),
                choice.note());
        // the PNDM file has no timestep_spacing, so DPM-Solver's own default (linspace) applies, as in diffusers
        for (int n : new int[] {4, 10, 20, 25}) {
            Sampler s = Samplers.fromConfig(cfg, n, SamplerOptions.DEFAULTS);
            assertArrayEquals(SchedulerFixtures.longs("DPMSolverMultistepScheduler.epsilon.timesteps." + n),
                    longs(s.timesteps()));
        }
    }

    @Test
    void unknownClassInAnyConfigStillRunsANamedSampler() {
        SchedulerConfig cfg = json("\"_class_name\": \"UniPCMultistepScheduler\", \"prediction_type\": \"v_prediction\"");
        assertTrue(Samplers.choose(cfg).fallback());
        for (String name : Samplers.NAMES) {
            Sampler s = Samplers.create(name, cfg, 10, SamplerOptions.DEFAULTS);
            assertEquals(name, s.name());
            assertEquals(10, s.steps());
            float[] x = new float[8];
            float[] out = new float[8];
            java.util.Arrays.fill(x, 1f);
            for (int i = 0; i < 10; i++) {
                s.scaleModelInput(x, i);
                x = s.step(out, i, x, NoiseSource.seeded(i)).prevSample();
            }
            for (float v : x) {
                assertTrue(Float.isFinite(v), name);
            }
        }
    }

    @Test
    void sd21DdimConfigWithoutSpacingKeyUsesEachSamplersDefault() {
        // written by diffusers 0.8: no timestep_spacing; DDIM defaults to leading, Euler to linspace
        SchedulerConfig cfg = SchedulerFixtures.config(TestData.path("reference/sd2/sd21/scheduler"));
        assertEquals(Prediction.V_PREDICTION, Prediction.of(cfg));
        Sampler ddim = Samplers.fromConfig(cfg, 10, SamplerOptions.DEFAULTS);
        assertEquals("ddim", ddim.name());
        assertArrayEquals(SchedulerFixtures.longs("DDIMScheduler.v_prediction.timesteps.10"), longs(ddim.timesteps()));
        Sampler euler = Samplers.create("euler", cfg, 20);
        float[] expected = SchedulerFixtures.floats("EulerDiscreteScheduler.v_prediction.timesteps.20");
        for (int i = 0; i < 20; i++) {
            assertEquals(expected[i], euler.modelTimestep(i), 0f);
        }
        assertEquals(14.614645f, euler.initNoiseSigma(), 0f);
    }

    @Test
    void namesAreCheckedAndCaseInsensitive() {
        SchedulerConfig cfg = json("");
        assertEquals("dpmpp-2m-karras", Samplers.create(" DPMPP-2M-Karras ", cfg, 5).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("pndm", cfg, 5));
        assertTrue(e.getMessage().contains("pndm") && e.getMessage().contains("dpmpp-2m-karras"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Samplers.create("ddim", cfg, 0));
        assertThrows(IllegalArgumentException.class, () -> Samplers.create("euler", cfg, 1001));
    }

    @Test
    void configErrorsNameTheFileAndKey() {
        assertConfigError("prediction_type", () -> json("\"prediction_type\": \"flow\""));
        assertConfigError("timestep_spacing", () -> json("\"timestep_spacing\": \"uniform\""));
        assertConfigError("beta_schedule", () -> json("\"beta_schedule\": \"sigmoid\""));
        assertConfigError("variance_type",
                () -> Samplers.create("ddpm", json("\"variance_type\": \"learned_range\""), 10));
        assertConfigError("thresholding", () -> Samplers.create("ddim", json("\"thresholding\": true"), 10));
        assertConfigError("interpolation_type",
                () -> Samplers.create("euler", json("\"interpolation_type\": \"log_linear\""), 10));
        assertConfigError("solver_type", () -> Samplers.create("dpmpp-2m", json("\"solver_type\": \"rk4\""), 10));
        assertConfigError("use_lu_lambdas", () -> Samplers.create("dpmpp-2m", json("\"use_lu_lambdas\": true"), 10));
        assertConfigError("trained_betas", () -> Samplers.create("ddim", json("\"trained_betas\": [0.1, 0.2]"), 1));
        assertConfigError("lower_order_final",
                () -> Samplers.create("dpmpp-2m", json("\"lower_order_final\": \"yes\""), 10));
    }

    private static void assertConfigError(String key, Supplier<?> action) {
        ConfigException e = assertThrows(ConfigException.class, action::get);
        assertTrue(e.getMessage().contains(FILE) && e.getMessage().contains("'" + key + "'"), e.getMessage());
    }

    @Test
    void dpmConfigsSdtiDoesNotImplementAreReportedNotRejected() {
        SchedulerConfig third = json("\"_class_name\": \"DPMSolverMultistepScheduler\", \"solver_order\": 3");
        SamplerChoice c = Samplers.choose(third);
        assertEquals("dpmpp-2m", c.name());
        assertTrue(c.fallback() && c.note().contains("solver_order=3"), c.note());
        SchedulerConfig sde = json("\"_class_name\": \"DPMSolverMultistepScheduler\", \"algorithm_type\": \"sde-dpmsolver++\"");
        assertTrue(Samplers.choose(sde).fallback());
        assertFalse(Samplers.choose(json("\"_class_name\": \"DPMSolverMultistepScheduler\", \"algorithm_type\": \"deis\""))
                .fallback());
    }

    @Test
    void samplersAreFreshLoopStateAndCheckTheirInputs() {
        SchedulerConfig cfg = SchedulerFixtures.config("DPMSolverMultistepScheduler.epsilon");
        Sampler a = Samplers.fromConfig(cfg, 10, SamplerOptions.DEFAULTS);
        Sampler b = Samplers.fromConfig(cfg, 10, SamplerOptions.DEFAULTS);
        assertNotSame(a, b);
        float[] x = new float[4];
        a.step(new float[4], 0, x, null);
        IllegalStateException skipped = assertThrows(IllegalStateException.class, () -> a.step(new float[4], 2, x, null));
        assertTrue(skipped.getMessage().contains("expected step 1"), skipped.getMessage());
        b.step(new float[4], 0, x, null); // the other loop is unaffected
        assertThrows(IllegalArgumentException.class, () -> b.step(new float[3], 1, x, null));

        Sampler ddpm = Samplers.create("ddpm", cfg, 10);
        assertTrue(ddpm.isStochastic());
        IllegalArgumentException noNoise = assertThrows(IllegalArgumentException.class,
                () -> ddpm.step(new float[4], 0, x, null));
        assertTrue(noNoise.getMessage().contains("NoiseSource"), noNoise.getMessage());
        assertFalse(Samplers.create("euler", cfg, 10).isStochastic());
        assertFalse(Samplers.create("ddim", cfg, 10).isStochastic());
        assertTrue(Samplers.create("ddim", cfg, 10, new SamplerOptions(0.5)).isStochastic());
        assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(-1));
        assertThrows(IllegalArgumentException.class, () -> new SamplerOptions(Double.NaN));
    }

    @Test
    void seededNoiseIsReproducible() {
        float[] a = NoiseSource.seeded(42).gaussian(1000);
        assertArrayEquals(a, NoiseSource.seeded(42).gaussian(1000));
        double mean = 0;
        double sq = 0;
        for (float v : a) {
            mean += v / 1000.0;
            sq += v * (double) v / 1000.0;
        }
        assertEquals(0, mean, 0.1);
        assertEquals(1, sq, 0.15);
    }
}
