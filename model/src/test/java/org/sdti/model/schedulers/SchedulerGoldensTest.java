package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sdti.model.schedulers.SchedulerFixtures.assertClose;
import static org.sdti.model.schedulers.SchedulerFixtures.floats;
import static org.sdti.model.schedulers.SchedulerFixtures.longs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.sdti.model.config.SchedulerConfig;

/** The noise schedule and the training-time operations against diffusers 0.25.1. */
class SchedulerGoldensTest {
    private static final SchedulerConfig DDPM = SchedulerFixtures.config("DDPMScheduler.epsilon");

    @AfterAll
    static void printErrors() {
        System.out.println(SchedulerFixtures.report());
    }

    @Test
    void betasAndAlphasCumprodAreBitExact() {
        NoiseSchedule s = NoiseSchedule.from(DDPM);
        assertArrayEquals(floats("betas"), s.betas());
        assertArrayEquals(floats("alphas_cumprod"), s.alphasCumprod());
        assertClose("betas", floats("betas"), s.betas());
        assertClose("alphas_cumprod", floats("alphas_cumprod"), s.alphasCumprod());
        assertEquals(1000, s.numTrainTimesteps());
    }

    @Test
    void addNoiseAndVelocityMatch() {
        NoiseSchedule s = NoiseSchedule.from(DDPM);
        float[] x0 = floats("add_noise.x0");
        float[] noise = floats("add_noise.noise");
        long[] t = longs("add_noise.timesteps");
        int perSample = x0.length / t.length;
        assertClose("add_noise.out", floats("add_noise.out"), s.addNoise(x0, noise, t, perSample));
        assertClose("get_velocity.out", floats("get_velocity.out"), s.velocity(x0, noise, t, perSample));
    }

    @Test
    void everySchedulerClassBuildsTheSameSchedule() {
        float[] expected = floats("alphas_cumprod");
        for (String group : new String[] {"DDIMScheduler.v_prediction", "EulerDiscreteScheduler.epsilon",
                "DPMSolverMultistepScheduler.epsilon"}) {
            assertArrayEquals(expected, NoiseSchedule.from(SchedulerFixtures.config(group)).alphasCumprod(), group);
        }
    }
}
