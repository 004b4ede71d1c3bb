package org.sdti.model.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.sdti.model.schedulers.SchedulerFixtures.assertClose;
import static org.sdti.model.schedulers.SchedulerFixtures.floats;
import static org.sdti.model.schedulers.SchedulerFixtures.has;
import static org.sdti.model.schedulers.SchedulerFixtures.longs;
import static org.sdti.model.schedulers.SchedulerFixtures.row;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdti.model.config.SchedulerConfig;

/** Every sampler golden of schedulers.safetensors: 4 scheduler classes x 2 prediction types. */
class SamplerGoldensTest {
    private static final String GROUPS_SOURCE = "goldens/schedulers.json";

    @AfterAll
    static void printErrors() {
        System.out.println(SchedulerFixtures.report());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "DDIMScheduler.epsilon", "DDIMScheduler.v_prediction",
        "EulerDiscreteScheduler.epsilon", "EulerDiscreteScheduler.v_prediction",
        "DPMSolverMultistepScheduler.epsilon", "DPMSolverMultistepScheduler.v_prediction",
        "DDPMScheduler.epsilon", "DDPMScheduler.v_prediction"})
    void timestepsSigmasAndInitNoiseSigmaForEveryStepCount(String group) {
        SchedulerConfig cfg = SchedulerFixtures.config(group);
        assertFalse(Samplers.choose(cfg).fallback(), GROUPS_SOURCE);
        for (int n : SchedulerFixtures.STEP_COUNTS) {
            Sampler s = Samplers.fromConfig(cfg, n, SamplerOptions.DEFAULTS);
            String key = group + ".timesteps." + n;
            assertTimesteps(key, s);
            if (has(group + ".sigmas." + n)) {
                assertClose(group + ".sigmas", floats(group + ".sigmas." + n), sigmas(s));
                assertArrayEquals(floats(group + ".sigmas." + n), sigmas(s), group + ".sigmas." + n);
            }
            float expected = (float) SchedulerFixtures.index().get(group).get("init_noise_sigma")
                    .get(String.valueOf(n)).asDouble();
            assertEquals(expected, s.initNoiseSigma(), 0f, group + " init_noise_sigma " + n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "DDIMScheduler.epsilon", "DDIMScheduler.v_prediction",
        "EulerDiscreteScheduler.epsilon", "EulerDiscreteScheduler.v_prediction",
        "DPMSolverMultistepScheduler.epsilon", "DPMSolverMultistepScheduler.v_prediction",
        "DDPMScheduler.epsilon", "DDPMScheduler.v_prediction"})
    void tenStepLoopFollowsTheReference(String group) {
        int steps = SchedulerFixtures.SEQ_STEPS;
        Sampler s = Samplers.fromConfig(SchedulerFixtures.config(group), steps, SamplerOptions.DEFAULTS);
        assertTimesteps(group + ".seq.timesteps", s);

        float[] outputs = floats("seq.model_outputs");
        float[] prevGolden = floats(group + ".seq.prev_sample");
        float[] scaledGolden = floats(group + ".seq.scaled_model_input");
        float[] x0Golden = has(group + ".seq.pred_original_sample") ? floats(group + ".seq.pred_original_sample") : null;
        NoiseSource noise = has(group + ".seq.variance_noise")
                ? replay(floats(group + ".seq.variance_noise"), steps) : null;

        float[] xT = floats("seq.x_T");
        float[] x = new float[xT.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = xT[i] * s.initNoiseSigma();
        }
        for (int i = 0; i < steps; i++) {
            assertClose(group + ".seq.scaled_model_input", row(scaledGolden, i, steps), s.scaleModelInput(x, i));
            StepResult r = s.step(row(outputs, i, steps), i, x, noise);
            if (x0Golden != null) {
                assertClose(group + ".seq.pred_original_sample", row(x0Golden, i, steps), r.predOriginalSample());
            }
            // the loop runs on its own samples, so errors would accumulate as they would in generation
            assertClose(group + ".seq.prev_sample", row(prevGolden, i, steps), r.prevSample());
            x = r.prevSample();
        }
    }

    /** Replays the noise DDPMScheduler.step drew, one step's worth per call. */
    static NoiseSource replay(float[] all, int steps) {
        Deque<float[]> queue = new ArrayDeque<>();
        for (int i = 0; i < steps; i++) {
            queue.add(row(all, i, steps));
        }
        return n -> {
            float[] z = queue.removeFirst();
            assertEquals(z.length, n);
            return z;
        };
    }

    private static void assertTimesteps(String key, Sampler s) {
        double[] actual = s.timesteps();
        if (SchedulerFixtures.isInt64(key)) {
            long[] expected = longs(key);
            long[] got = new long[actual.length];
            for (int i = 0; i < actual.length; i++) {
                assertEquals(Math.rint(actual[i]), actual[i], 0.0, key + " not integral");
                got[i] = (long) actual[i];
            }
            assertArrayEquals(expected, got, key);
        } else {
            float[] expected = floats(key);
            float[] got = new float[actual.length];
            for (int i = 0; i < actual.length; i++) {
                got[i] = s.modelTimestep(i);
                assertEquals(got[i], actual[i], 0.0, key + " not a float32 value");
            }
            assertArrayEquals(expected, got, key);
        }
    }

    private static float[] sigmas(Sampler s) {
        if (s instanceof EulerSampler e) {
            return e.sigmas();
        }
        return ((DpmSolverSampler) s).sigmas();
    }
}
