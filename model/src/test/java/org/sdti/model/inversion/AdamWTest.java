package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

class AdamWTest {

    /** Feeding the reference's gradients reproduces its embedding after each of the 5 AdamW steps. */
    @Test
    void reproducesTheReferenceEmbeddingsFromItsGradients() throws IOException {
        try (SafeTensorsFile g = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"))) {
            float[] grads = g.floats("grads_placeholder");
            float[] after = g.floats("embeddings_after");
            int h = g.floats("initial_embedding").length;
            AdamW.State s = AdamW.State.initial(g.floats("initial_embedding"));
            AdamW opt = AdamW.defaults();
            double maxErr = 0;
            for (int step = 0; step < 5; step++) {
                s = opt.step(s, Arrays.copyOfRange(grads, step * h, (step + 1) * h), 5e-4);
                float[] p = s.params();
                for (int i = 0; i < h; i++) {
                    maxErr = Math.max(maxErr, Math.abs(p[i] - after[step * h + i]));
                }
            }
            assertEquals(5, s.step());
            assertEquals(0.0, maxErr, 2e-7, "max abs error vs reference after 5 steps");
        }
    }

    @Test
    void firstStepMovesEachParameterByAboutLr() {
        AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.0);
        AdamW.State s = opt.step(AdamW.State.initial(new float[] {1f, -2f, 0f}), new float[] {0.3f, -5f, 0f}, 0.01);
        assertEquals(1f - 0.01f, s.params()[0], 1e-6);
        assertEquals(-2f + 0.01f, s.params()[1], 1e-6);
        assertEquals(0f, s.params()[2], 0f);
    }

    @Test
    void weightDecayIsDecoupled() {
        AdamW opt = new AdamW(0.9, 0.999, 1e-8, 0.5);
        AdamW.State s = opt.step(AdamW.State.initial(new float[] {2f}), new float[] {0f}, 0.1);
        assertEquals(2f * (1 - 0.1f * 0.5f), s.params()[0], 1e-6);
    }

    @Test
    void schedules() {
        assertEquals(1.0, new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 100, 0.5).factor(50));
        LrSchedule warm = new LrSchedule(LrSchedule.Kind.CONSTANT_WITH_WARMUP, 10, 100, 0.5);
        assertEquals(0.0, warm.factor(0));
        assertEquals(0.5, warm.factor(5));
        assertEquals(1.0, warm.factor(10));
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 10, 110, 0.5);
        assertEquals(1.0, lin.factor(10));
        assertEquals(0.5, lin.factor(60), 1e-12);
        assertEquals(0.0, lin.factor(110), 1e-12);
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 0, 100, 0.5);
        assertEquals(1.0, cos.factor(0), 1e-12);
        assertEquals(0.5, cos.factor(50), 1e-12);
        assertEquals(0.0, cos.factor(100), 1e-12);
        assertEquals(LrSchedule.Kind.CONSTANT_WITH_WARMUP, LrSchedule.parse("constant-with-warmup"));
    }
}
