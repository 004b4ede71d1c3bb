package org.sdti.model.inversion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.TextEncoder;
import org.sdti.model.models.UNet;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.testing.TestData;

/**
 * The textual-inversion loss and its gradient with respect to the new token's row, against the reference's
 * {@code textual_inversion.safetensors} (tiny fixture, epsilon), and the v-prediction target.
 */
class InversionGraphTest {
    private static TextEncoder encoder;
    private static UNet unet;
    private static NoiseSchedule schedule;
    private static SafeTensorsFile golden;
    private static InversionGraph graph;

    @BeforeAll
    static void load() throws IOException {
        Path model = TestData.tinyModel();
        ModelFolder folder = ModelFolder.open(model.toString());
        encoder = TextEncoder.load(model.resolve("text_encoder"), DataType.FLOAT);
        unet = UNet.load(folder.unetConfig(),
                CheckedWeights.check(folder.openWeights("unet"), Layouts.unet(folder.unetConfig())));
        schedule = NoiseSchedule.from(folder.schedulerConfig());
        golden = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"));
        graph = InversionGraph.build(encoder, unet, 2, array("initial_embedding").reshape(1, -1).dup(), 4, 8, 8);
    }

    @AfterAll
    static void close() throws IOException {
        golden.close();
        encoder.close();
    }

    static INDArray array(String name) throws IOException {
        return Nd4j.create(golden.floats(name), golden.info(name).shape(), 'c');
    }

    static long[][] ids(String name) throws IOException {
        long[] flat = golden.longs(name);
        long[] shape = golden.info(name).shape();
        long[][] out = new long[(int) shape[0]][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, (int) (i * shape[1]), (int) ((i + 1) * shape[1]));
        }
        return out;
    }

    static double maxAbs(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    private record Batch(long[][] ids, INDArray noisy, INDArray timesteps, INDArray target) {}

    private static Batch batch(int step, boolean vPrediction) throws IOException {
        String p = "step" + step + ".";
        float[] x0 = golden.floats(p + "latents");
        float[] noise = golden.floats(p + "noise");
        long[] t = golden.longs(p + "timesteps");
        long[] shape = golden.info(p + "latents").shape();
        int perSample = (int) (shape[1] * shape[2] * shape[3]);
        INDArray noisy = Nd4j.create(schedule.addNoise(x0, noise, t, perSample), shape, 'c');
        float[] target = vPrediction ? schedule.velocity(x0, noise, t, perSample) : noise;
        INDArray ts = Nd4j.create(Arrays.stream(t).asDoubleStream().toArray(), new long[] {t.length}, DataType.FLOAT);
        return new Batch(ids(p + "input_ids"), noisy, ts, Nd4j.create(target, shape, 'c'));
    }

    /** The shared batch-2 graph, reset to the initial embedding. */
    private static InversionGraph graph(int batch) throws IOException {
        assertEquals(graph.batch(), batch);
        graph.setRows(array("initial_embedding").reshape(1, -1));
        return graph;
    }

    private static INDArray meanWeights(int b) {
        return Nd4j.valueArrayOf(new long[] {b}, 1.0 / b, DataType.FLOAT);
    }

    @Test
    void lossAndRowGradientMatchTheReference() throws IOException {
        Batch b = batch(0, false);
        assertTrue(maxAbs(b.noisy(), array("step0.noisy_latents")) < 1e-6, "add_noise");
        InversionGraph g = graph(2);
        InversionGraph.LossAndGradient r = g.step(encoder.embedding().lookup(b.ids(), 1), b.noisy(), b.timesteps(),
                b.target(), meanWeights(2));
        double predErr = maxAbs(r.prediction(), array("step0.model_pred"));
        double gradErr = maxAbs(r.gradient().reshape(-1), array("step0.grad_placeholder"));
        double gradScale = array("step0.grad_placeholder").amaxNumber().doubleValue();
        System.out.printf("TI step0: loss %.8f (ref %.8f), max |pred err| %.3g, max |grad err| %.3g (scale %.3g)%n",
                r.loss(), golden.floats("step0.loss")[0], predErr, gradErr, gradScale);
        assertEquals(golden.floats("step0.loss")[0], r.loss(), 1e-5);
        assertTrue(predErr < 1e-4, "model_pred max abs error " + predErr);
        assertTrue(gradErr < 1e-4 * Math.max(1, gradScale), "gradient max abs error " + gradErr);
        assertEquals(1, r.gradient().rows());
    }

    /** Five AdamW steps at lr 5e-4 reproduce the reference's losses and final embedding. */
    @Test
    void fiveAdamWStepsFollowTheReference() throws IOException {
        InversionGraph g = graph(2);
        AdamW opt = AdamW.defaults();
        AdamW.State state = AdamW.State.initial(golden.floats("initial_embedding"));
        float[] losses = golden.floats("losses");
        float[] after = golden.floats("embeddings_after");
        int h = state.params().length;
        double maxLossErr = 0;
        double maxEmbErr = 0;
        for (int step = 0; step < 5; step++) {
            Batch b = batch(step, false);
            g.setRows(Nd4j.create(state.params(), new long[] {1, h}, 'c'));
                InversionGraph.LossAndGradient r = g.step(encoder.embedding().lookup(b.ids(), 1), b.noisy(),
                    b.timesteps(), b.target(), meanWeights(2));
            maxLossErr = Math.max(maxLossErr, Math.abs(r.loss() - losses[step]));
            state = opt.step(state, r.gradient().reshape(-1).toFloatVector(), 5e-4);
            float[] p = state.params();
            for (int i = 0; i < h; i++) {
                maxEmbErr = Math.max(maxEmbErr, Math.abs(p[i] - after[step * h + i]));
            }
        }
        System.out.printf("TI 5 steps: max |loss err| %.3g, max |embedding err| %.3g%n", maxLossErr, maxEmbErr);
        assertTrue(maxLossErr < 5e-6, "loss error " + maxLossErr);
        assertTrue(maxEmbErr < 5e-6, "embedding error " + maxEmbErr);
    }

    /** v-prediction: the loss is the MSE between the U-Net output and alpha_t·noise − sigma_t·x0. */
    @Test
    void vPredictionTargetIsTheVelocity() throws IOException {
        Batch b = batch(1, true);
        InversionGraph g = graph(2);
        InversionGraph.LossAndGradient r = g.step(encoder.embedding().lookup(b.ids(), 1), b.noisy(), b.timesteps(),
                b.target(), meanWeights(2));
        // velocity by hand from the schedule's alphas
        String p = "step1.";
        float[] x0 = golden.floats(p + "latents");
        float[] noise = golden.floats(p + "noise");
        long[] t = golden.longs(p + "timesteps");
        float[] v = b.target().reshape(-1).toFloatVector();
        int per = x0.length / 2;
        for (int i = 0; i < x0.length; i++) {
            double a = Math.sqrt(schedule.alphaCumprod(t[i / per]));
            double s = Math.sqrt(1 - schedule.alphaCumprod(t[i / per]));
            assertEquals(a * noise[i] - s * x0[i], v[i], 1e-5);
        }
        double expected = r.prediction().castTo(DataType.DOUBLE).sub(b.target().castTo(DataType.DOUBLE))
                .norm2Number().doubleValue();
        expected = expected * expected / x0.length;
        assertEquals(expected, r.loss(), 1e-5 * expected);
        assertTrue(r.gradient().norm2Number().doubleValue() > 0, "the rows get a gradient");
    }
}
