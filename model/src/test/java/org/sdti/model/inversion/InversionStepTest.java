package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.schedulers.Prediction;
import org.sdti.model.testing.TestData;

/** The step's options beyond the golden: accumulation, v-prediction targets, scale_lr and schedules. */
class InversionStepTest {
    static final TinyModel M = TinyModel.INSTANCE;

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** Two passes of one sample average to the gradient of one pass of both: the same update. */
    @Test
    void accumulationEqualsTheLargerBatch() {
        ConceptData data = TrainerRunTest.data(false);
        TrainerState s = TrainerRunTest.initial();
        TrainingConfig two = TrainingConfig.defaults().withBatch(2, 1).withLearningRate(1e-2);
        TrainingConfig accumulated = TrainingConfig.defaults().withBatch(1, 2).withLearningRate(1e-2);
        List<MicroBatch> big = BatchSampler.of(two, 1000).draw(data, 5, 0, 0);
        List<MicroBatch> small = BatchSampler.of(accumulated, 1000).draw(data, 5, 0, 0);
        assertEquals(1, big.size());
        assertEquals(2, small.size());
        InversionStep.Outcome a = M.step(two, 1).apply(s, big);
        InversionStep.Outcome b = M.step(accumulated, 1).apply(s, small);
        assertEquals(a.loss(), b.loss(), 1e-6 * a.loss());
        assertEquals(a.gradientNorm(), b.gradientNorm(), 1e-4 * a.gradientNorm());
        assertTrue(maxDiff(a.state().rows(), b.state().rows()) < 1e-6, "rows differ by "
                + maxDiff(a.state().rows(), b.state().rows()));
        assertNotEquals(0.0, maxDiff(a.state().rows(), s.rows()));
    }

    /** With a v-prediction model the target is the velocity: the loss is the graph's MSE against it. */
    @Test
    void vPredictionTrainsOnTheVelocity() throws IOException {
        try (SafeTensorsFile g = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"))) {
            long[] flat = g.longs("step1.input_ids");
            long[][] ids = {Arrays.copyOfRange(flat, 0, 77), Arrays.copyOfRange(flat, 77, 154)};
            float[] x0 = g.floats("step1.latents");
            float[] noise = g.floats("step1.noise");
            long[] t = g.longs("step1.timesteps");
            MicroBatch b = new MicroBatch(ids, x0, noise, t);
            TrainerState s = TrainerState.initial("c", 0, new float[][] {g.floats("initial_embedding")});
            TrainingConfig cfg = TrainingConfig.defaults().withBatch(2, 1);
            InversionStep v = new InversionStep(M.encoder.embedding(), RowGradients.of(M.graph(2, 1)), M.schedule,
                    Prediction.V_PREDICTION, cfg, 1);
            double loss = v.apply(s, List.of(b)).loss();
            float[] velocity = M.schedule.velocity(x0, noise, t, 256);
            float[] ts = {t[0], t[1]};
            double expected = M.graph(2, 1).loss(M.encoder.embedding().lookup(ids, 1),
                    Nd4j.create(M.schedule.addNoise(x0, noise, t, 256), new long[] {2, 4, 8, 8}, 'c'),
                    Nd4j.createFromArray(ts), Nd4j.create(velocity, new long[] {2, 4, 8, 8}, 'c'),
                    Nd4j.valueArrayOf(new long[] {2}, 0.5, DataType.FLOAT));
            assertEquals(expected, loss, 1e-6 * expected);
            double epsilonLoss = M.step(cfg, 1).apply(s, List.of(b)).loss();
            assertEquals(g.floats("step1.loss")[0], epsilonLoss, 1e-5);
            assertNotEquals(epsilonLoss, loss, 1e-3);
            assertThrows(IllegalArgumentException.class, () -> new InversionStep(M.encoder.embedding(),
                    RowGradients.of(M.graph(2, 1)), M.schedule, Prediction.SAMPLE, cfg, 1));
        }
    }

    @Test
    void scaleLrAndSchedulesSetTheRateOfEachStep() {
        TrainingConfig cfg = TrainingConfig.defaults().withSteps(100).withLearningRate(5e-4).withBatch(2, 4);
        assertEquals(5e-4, cfg.peakLearningRate(3));
        assertEquals(5e-4 * 2 * 4 * 3, cfg.withScaleLr(true).peakLearningRate(3), 1e-15);
        InversionStep warm = new InversionStep(M.encoder.embedding(), RowGradients.of(M.graph(2, 1)), M.schedule,
                M.prediction, cfg.withSchedule(LrSchedule.Kind.COSINE, 10), 1);
        assertEquals(0.0, warm.learningRate(0));
        assertEquals(2.5e-4, warm.learningRate(5), 1e-15);
        assertEquals(5e-4, warm.learningRate(10), 1e-15);
        assertEquals(2.5e-4, warm.learningRate(55), 1e-12);
        assertEquals(0.0, warm.learningRate(100), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> cfg.withBatch(0, 1));
        assertThrows(IllegalArgumentException.class, () -> cfg.withLearningRate(Double.NaN));
    }
}
