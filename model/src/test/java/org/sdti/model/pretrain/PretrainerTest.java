package org.sdti.model.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.Architecture;
import org.sdti.model.models.RandomModelFolder;
import org.sdti.model.models.Vae;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.GenerationResult;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.text.ClipTokenizer;

/**
 * Full-weight training on 8×8 coloured shapes: learning, resuming, the written model. The architecture is the tiny
 * preset's text encoder and U-Net with the toy preset's identity VAE (fast enough for the default suite).
 */
class PretrainerTest {
    static final Architecture TOY = tinyWithIdentityVae();
    static ClipTokenizer tokenizer;
    static Vae vae;

    @TempDir
    static Path shared;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = Architecture.sd2Tokenizer();
        vae = IdentityVaeTest.toyVae();
    }

    static PretrainSettings settings(long steps, long checkpointEvery) {
        return new PretrainSettings(2, steps, 1e-3, "constant_with_warmup", 2, 1e-2, 1.0, 0.1, 0, "epsilon", 0, 0, 0,
                7, checkpointEvery);
    }

    static TrainableNetworks networks() throws IOException {
        return TrainableNetworks.of(TOY.textEncoder(), RandomModelFolder.textEncoder(TOY, 3)::tensor, TOY.unet(),
                RandomModelFolder.unet(TOY, 3)::tensor, DataType.FLOAT);
    }

    static Pretrainer pretrainer(TrainableNetworks nets) {
        return new Pretrainer(nets, tokenizer, NoiseSchedule.from(TOY.scheduler()),
                px -> vae.encode(px).mean().mul(vae.scalingFactor()), 4, 1);
    }

    @Test
    void aFewStepsLowerTheLossOnAFixedBatch() throws IOException {
        TrainableNetworks nets = networks();
        ColouredShapes data = new ColouredShapes(8, 2, 5);
        PretrainGraph probe = PretrainGraph.build(nets, 2, 4, 8, 8); // shares the weights being trained
        Object[] batch = fixedBatch(data);
        double before = probe.loss((long[][]) batch[0], (INDArray) batch[1], (INDArray) batch[2], (INDArray) batch[3]);
        List<String> lines = new ArrayList<>();
        PretrainSettings s = new PretrainSettings(2, 15, 3e-3, "constant_with_warmup", 3, 0, 1.0, 0, 0, "epsilon", 0,
                0, 0, 7, 1000);
        Pretrainer.Result r = pretrainer(nets).run(data, s,
                new PretrainFolder(shared.resolve("learn").toString(), new Configuration(), TOY), false, lines::add);
        double after = probe.loss((long[][]) batch[0], (INDArray) batch[1], (INDArray) batch[2], (INDArray) batch[3]);
        System.out.printf("fixed-batch loss %.4f -> %.4f after %d steps%n", before, after, r.stepsRun());
        assertEquals(15, r.stepsRun());
        assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
        assertTrue(lines.get(lines.size() - 1).matches("step 15/15 loss .* smoothed .* steps/s ETA .*"),
                lines.get(lines.size() - 1));
    }

    @Test
    void resumeEqualsUninterrupted(@TempDir Path tmp) throws IOException {
        ColouredShapes data = new ColouredShapes(8, 5, 2);
        PretrainFolder whole = new PretrainFolder(tmp.resolve("whole").toString(), new Configuration(), TOY);
        pretrainer(networks()).run(data, settings(4, 2), whole, false, l -> { });
        PretrainFolder parts = new PretrainFolder(tmp.resolve("parts").toString(), new Configuration(), TOY);
        pretrainer(networks()).run(data, settings(2, 2), parts, false, l -> { });
        assertThrows(IllegalArgumentException.class,
                () -> pretrainer(networks()).run(data, settings(4, 2), parts, false, l -> { }),
                "a folder with checkpoints needs --resume");
        PretrainSettings otherLr = new PretrainSettings(2, 4, 2e-3, "constant_with_warmup", 2, 1e-2, 1.0, 0.1, 0,
                "epsilon", 0, 0, 0, 7, 2);
        assertThrows(IllegalArgumentException.class,
                () -> pretrainer(networks()).run(data, otherLr, parts, true, l -> { }));
        Pretrainer.Result resumed = pretrainer(networks()).run(data, settings(4, 2), parts, true, l -> { });
        assertEquals(2, resumed.stepsRun());
        assertEquals(List.of(2L, 4L), parts.checkpointSteps());
        for (String f : List.of("checkpoints/state-000004.safetensors", "loss.csv",
                "unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("whole").resolve(f)),
                    Files.readAllBytes(tmp.resolve("parts").resolve(f)), f);
        }
    }

    @Test
    void minSnrWeightsCapTheLowNoiseSteps() {
        assertEquals(1f, Pretrainer.lossWeight(0, "epsilon", 0, 0.999f), "gamma 0: plain MSE");
        assertEquals(1f, Pretrainer.lossWeight(5, "epsilon", 0, 0.5f), "SNR 1 < gamma: weight 1");
        // alpha-bar 0.99: SNR 99, weight 5/99
        assertEquals(5.0 / 99.0, Pretrainer.lossWeight(5, "epsilon", 0, 0.99f), 1e-6);
        // v: the ε-MSE times (SNR + 1)/SNR, the v-loss of the same prediction; alpha-bar 0.01: SNR 1/99
        assertEquals(100.0, Pretrainer.lossWeight(0, "v", 0, 0.01f), 1e-3);
        assertEquals(1.0 + 1.0 / 99.0, Pretrainer.lossWeight(0, "v", 0, 0.99f), 1e-6);
        assertEquals(5.0 / 99.0 + 1.0 / 99.0, Pretrainer.lossWeight(5, "v", 0, 0.99f), 1e-6);
        assertEquals(5.0, Pretrainer.lossWeight(0, "v", 5, 0.01f), 1e-6, "capped");
        assertEquals(1.0 + 1.0 / 99.0, Pretrainer.lossWeight(0, "v", 5, 0.99f), 1e-6, "under the cap");
        assertThrows(IllegalArgumentException.class, () -> new PretrainSettings(2, 4, 1e-3, "cosine", 0, 0, 1, 0,
                0, "v", -1, 0, 0, 7, 2));
        // checkpoints written before the option read as plain ε-MSE, so they resume under the default
        PretrainSettings old = assertDoesNotThrow(() -> PretrainSettings.fromJson(settings(4, 2).toJson()
                .replace(",\"lossWeighting\":\"epsilon\",\"maxLossWeight\":0.0,\"tokenInitStd\":0.0", "")));
        assertEquals(settings(4, 2), old);
        assertThrows(IllegalArgumentException.class, () -> new PretrainSettings(2, 4, 1e-3, "cosine", 0, 0, 1, 0,
                -1, "epsilon", 0, 0, 0, 7, 2));
        assertThrows(IllegalArgumentException.class, () -> new PretrainSettings(2, 4, 1e-3, "cosine", 0, 0, 1, 0,
                0, "epsilon", 0, 0, 1, 7, 2));
        assertThrows(IllegalArgumentException.class, () -> new PretrainSettings(2, 4, 1e-3, "cosine", 0, 0, 1, 0,
                0, "x0", 0, 0, 0, 7, 2));
    }

    @Test
    void theModelFilesHoldTheMovingAverageAndAResumeKeepsIt(@TempDir Path tmp) throws IOException {
        ColouredShapes data = new ColouredShapes(8, 5, 2);
        PretrainSettings s = new PretrainSettings(2, 4, 1e-3, "constant_with_warmup", 2, 1e-2, 1.0, 0.1, 5, "epsilon",
                0, 0, 0.6, 7, 1);
        PretrainFolder whole = new PretrainFolder(tmp.resolve("whole").toString(), new Configuration(), TOY);
        TrainableNetworks nets = networks();
        float[] start = new ParameterVector(PretrainGraph.build(nets, 2, 4, 8, 8)).read();
        pretrainer(nets).run(data, s, whole, false, l -> { });
        // the average by its definition, from the weights each checkpoint saved
        float[] expected = start.clone();
        float[] saved = null;
        for (long step = 1; step <= 4; step++) {
            try (var f = org.sdti.model.io.SafeTensorsFile.open(tmp.resolve("whole").resolve(
                    PretrainFolder.stateFile(step)))) {
                float[] p = f.floats("params");
                float d = (float) s.emaDecayAt(step);
                float rest = (float) (1 - s.emaDecayAt(step));
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = d * expected[i] + rest * p[i];
                }
                saved = f.floats("ema");
            }
        }
        assertArrayEquals(expected, saved, "checkpoint's ema");
        assertTrue(s.emaDecayAt(1) < 0.6 && s.emaDecayAt(1000) == 0.6, "warm-up of the decay");
        // the model files are the average, not the last weights: load them and compare with the vector
        TrainableNetworks loaded = TrainableNetworks.of(TOY.textEncoder(),
                weightsOf(tmp.resolve("whole/text_encoder/model.safetensors")), TOY.unet(),
                weightsOf(tmp.resolve("whole/unet/diffusion_pytorch_model.safetensors")), DataType.FLOAT);
        assertArrayEquals(expected, new ParameterVector(PretrainGraph.build(loaded, 2, 4, 8, 8)).read(),
                "model files hold the moving average");
        PretrainFolder parts = new PretrainFolder(tmp.resolve("parts").toString(), new Configuration(), TOY);
        pretrainer(networks()).run(data, new PretrainSettings(2, 2, 1e-3, "constant_with_warmup", 2, 1e-2, 1.0, 0.1,
                5, "epsilon", 0, 0, 0.6, 7, 1), parts, false, l -> { });
        pretrainer(networks()).run(data, s, parts, true, l -> { });
        for (String f : List.of("checkpoints/state-000004.safetensors", "unet/diffusion_pytorch_model.safetensors")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("whole").resolve(f)),
                    Files.readAllBytes(tmp.resolve("parts").resolve(f)), f);
        }
    }

    private static TrainableNetworks.Source weightsOf(Path file) {
        return name -> {
            try (var f = org.sdti.model.io.SafeTensorsFile.open(file)) {
                return f.floats(name);
            }
        };
    }

    @Test
    void theWrittenModelLoadsPredictsAsTrainedAndRenders(@TempDir Path tmp) throws IOException {
        TrainableNetworks nets = networks();
        String out = tmp.resolve("model").toString();
        pretrainer(nets).run(new ColouredShapes(8, 4, 3), settings(3, 10), new PretrainFolder(out,
                new Configuration(), TOY), false, l -> { });
        try (StableDiffusion sd = StableDiffusion.load(out, new Configuration())) {
            long[][] ids = {toLongs(tokenizer.encode("a photo of a red circle on a blue background"))};
            INDArray trainedText = nets.textEncoder().encode(ids);
            INDArray loadedText = sd.textEncoder().encode(ids);
            assertTrue(loadedText.sub(trainedText).amaxNumber().doubleValue() < 1e-5, "text encoder differs");
            SplittableRandom r = new SplittableRandom(4);
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 4, 8, 8);
            INDArray t = Nd4j.createFromArray(500f);
            INDArray trained = nets.unet().predict(x, t, trainedText);
            INDArray loaded = sd.unet().predict(x, t, loadedText);
            assertTrue(loaded.sub(trained).amaxNumber().doubleValue() < 1e-5, "U-Net differs");
            GenerationResult g = new TextToImage(sd).generate(GenerationRequest.of("a photo of a red circle")
                    .withSampler("ddim", 3).withSteps(3));
            assertEquals(8, g.images().get(0).width(), "default size: U-Net sample_size 8 through the identity VAE");
            assertEquals(8, g.images().get(0).height());
        }
    }

    private Object[] fixedBatch(ColouredShapes data) {
        long[][] ids = new long[2][];
        float[] px = new float[2 * 3 * 64];
        for (int i = 0; i < 2; i++) {
            Example e = data.get(i);
            ids[i] = toLongs(tokenizer.encode(e.caption()));
            System.arraycopy(e.pixels(), 0, px, i * 192, 192);
        }
        INDArray x0 = vae.encode(Nd4j.create(px, new long[] {2, 3, 8, 8}, 'c')).mean();
        float[] noise = new float[2 * 4 * 64];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        long[] t = {100, 600};
        NoiseSchedule schedule = NoiseSchedule.from(TOY.scheduler());
        float[] noisy = schedule.addNoise(x0.dup('c').data().asFloat(), noise, t, 4 * 64);
        long[] shape = {2, 4, 8, 8};
        return new Object[] {ids, Nd4j.create(noisy, shape, 'c'), Nd4j.createFromArray(100f, 600f),
                Nd4j.create(noise, shape, 'c')};
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    private static Architecture tinyWithIdentityVae() {
        try {
            Map<String, String> configs = new HashMap<>(Architecture.preset("tiny").configs());
            configs.put("vae/config.json", Architecture.preset("toy").configs().get("vae/config.json"));
            return new Architecture("tiny with the identity VAE", configs);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
