package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdti.model.config.SchedulerConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/**
 * The DDIM loop of the reference text-to-image runs (pipeline.safetensors): the fixture model's own scheduler
 * config, classifier-free guidance at 7.5 over the recorded U-Net outputs, latents after every step.
 */
class SamplerPipelineGoldensTest {
    private static final float GUIDANCE = 7.5f;

    @ParameterizedTest
    @ValueSource(strings = {"ddim4", "ddim10", "ti_ddim4"})
    void ddimLatentsFollowThePipeline(String run) throws IOException {
        SchedulerConfig cfg = SchedulerFixtures.config(TestData.tinyModel().resolve("scheduler"));
        try (SafeTensorsFile g = SafeTensorsFile.open(TestData.goldens("pipeline.safetensors"))) {
            long[] timesteps = g.longs(run + ".timesteps");
            int steps = timesteps.length;
            Sampler s = Samplers.fromConfig(cfg, steps, SamplerOptions.DEFAULTS);
            double[] t = s.timesteps();
            for (int i = 0; i < steps; i++) {
                assertArrayEquals(new long[] {timesteps[i]}, new long[] {(long) t[i]});
            }
            float[] unet = g.floats(run + ".unet_out");
            float[] latents = g.floats(run + ".latents");
            float[] x = g.floats("init_latents");
            int n = x.length;
            for (int i = 0; i < steps; i++) {
                float[] pair = SchedulerFixtures.row(unet, i, steps); // [uncond, cond]
                float[] guided = new float[n];
                for (int k = 0; k < n; k++) {
                    float uncond = pair[k];
                    guided[k] = uncond + GUIDANCE * (pair[n + k] - uncond);
                }
                x = s.step(guided, i, s.scaleModelInput(x, i), null).prevSample();
                SchedulerFixtures.assertClose("pipeline." + run + ".latents", SchedulerFixtures.row(latents, i, steps), x);
            }
            SchedulerFixtures.assertClose("pipeline." + run + ".final_latents", g.floats(run + ".final_latents"), x);
        }
    }
}
