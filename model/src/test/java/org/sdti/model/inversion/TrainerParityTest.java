package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/**
 * The trainer's step function ({@link InversionStep}) fed the reference's five recorded batches reproduces the
 * reference's losses and the embedding after each AdamW step (goldens/textual_inversion.safetensors).
 */
class TrainerParityTest {

    @Test
    void fiveStepsThroughTheTrainersStepMatchTheReference() throws IOException {
        TinyModel m = TinyModel.INSTANCE;
        try (SafeTensorsFile g = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"))) {
            TrainingConfig cfg = TrainingConfig.defaults().withBatch(2, 1);
            InversionStep step = m.step(cfg, 1);
            float[] losses = g.floats("losses");
            float[] after = g.floats("embeddings_after");
            TrainerState s = TrainerState.initial("<joe-bruin>", 0, new float[][] {g.floats("initial_embedding")});
            int h = s.hidden();
            double maxLossErr = 0;
            double maxEmbErr = 0;
            for (int i = 0; i < 5; i++) {
                String p = "step" + i + ".";
                long[] flat = g.longs(p + "input_ids");
                long[][] ids = {Arrays.copyOfRange(flat, 0, 77), Arrays.copyOfRange(flat, 77, 154)};
                MicroBatch b = new MicroBatch(ids, g.floats(p + "latents"), g.floats(p + "noise"),
                        g.longs(p + "timesteps"));
                InversionStep.Outcome o = step.apply(s, List.of(b));
                s = o.state();
                assertEquals(5e-4, o.learningRate());
                maxLossErr = Math.max(maxLossErr, Math.abs(o.loss() - losses[i]));
                float[] rows = s.rows();
                for (int j = 0; j < h; j++) {
                    maxEmbErr = Math.max(maxEmbErr, Math.abs(rows[j] - after[i * h + j]));
                }
            }
            System.out.printf("trainer step vs reference, 5 steps: max |loss err| %.3g, max |embedding err| %.3g%n",
                    maxLossErr, maxEmbErr);
            assertEquals(5, s.step());
            assertTrue(maxLossErr < 5e-6, "loss error " + maxLossErr);
            assertTrue(maxEmbErr < 5e-6, "embedding error " + maxEmbErr);
        }
    }
}
