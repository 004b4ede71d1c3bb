package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/** The U-Net reproduces diffusers 0.25.1's {@code UNet2DConditionModel} on the tiny fixture (goldens/unet.safetensors). */
class UNetParityTest {
    static final double TOL = 1e-4;
    static UNetConfig cfg;
    static UNet unet;
    static SafeTensorsFile goldens;
    static INDArray sample;
    static INDArray context;

    @BeforeAll
    static void load() throws IOException {
        cfg = UNetConfig.from(NetTesting.config("unet"));
        try (CheckedWeights w = CheckedWeights.check(NetTesting.weights("unet"), Layouts.unet(cfg))) {
            unet = UNet.load(cfg, w);
        }
        goldens = SafeTensorsFile.open(TestData.goldens("unet.safetensors"));
        sample = NetTesting.golden(goldens, "sample");
        context = NetTesting.golden(goldens, "encoder_hidden_states");
    }

    @Test
    void scalarTimesteps() throws IOException {
        for (int t : new int[] {1, 500, 999}) {
            INDArray out = unet.predict(sample, Nd4j.createFromArray((float) t), context);
            NetTesting.assertClose("unet out_t" + t, out, NetTesting.golden(goldens, "out_t" + t), TOL);
        }
    }

    @Test
    void perSampleTimesteps() throws IOException {
        INDArray out = unet.predict(sample, NetTesting.goldenLongsAsFloat(goldens, "timesteps_vec"), context);
        NetTesting.assertClose("unet out_tvec", out, NetTesting.golden(goldens, "out_tvec"), TOL);
    }

    @Test
    void batchOfOne() throws IOException {
        INDArray one = unet.predict(sample.get(NDArrayIndex.interval(1, 2)).dup(), Nd4j.createFromArray(500f),
                context.get(NDArrayIndex.interval(1, 2)).dup());
        NetTesting.assertClose("unet out_t500[1] alone", one,
                NetTesting.golden(goldens, "out_t500").get(NDArrayIndex.interval(1, 2)), TOL);
    }

    /** The U-Net call of the reference's textual-inversion step 0 (per-sample timesteps, real text embeddings). */
    @Test
    void textualInversionStep() throws IOException {
        try (SafeTensorsFile ti = SafeTensorsFile.open(TestData.goldens("textual_inversion.safetensors"))) {
            INDArray out = unet.predict(NetTesting.golden(ti, "step0.noisy_latents"),
                    NetTesting.goldenLongsAsFloat(ti, "step0.timesteps"),
                    NetTesting.golden(ti, "step0.encoder_hidden_states"));
            NetTesting.assertClose("unet ti step0.model_pred", out, NetTesting.golden(ti, "step0.model_pred"), TOL);
        }
    }

    /** The first U-Net call of the reference's 4-step DDIM pipeline: batch [uncond, cond], scalar timestep. */
    @Test
    void pipelineFirstStep() throws IOException {
        try (SafeTensorsFile p = SafeTensorsFile.open(TestData.goldens("pipeline.safetensors"))) {
            INDArray latents = NetTesting.golden(p, "init_latents");
            INDArray ctx = Nd4j.concat(0, NetTesting.golden(p, "negative_prompt_embeds"),
                    NetTesting.golden(p, "prompt_embeds"));
            float t = (float) p.longs("ddim4.timesteps")[0];
            INDArray out = unet.predict(Nd4j.concat(0, latents, latents), Nd4j.createFromArray(t), ctx);
            INDArray expected = NetTesting.golden(p, "ddim4.unet_out").get(NDArrayIndex.point(0)).dup();
            NetTesting.assertClose("unet ddim4 step 0 (cfg batch)", out, expected, TOL);
        }
    }

    /** Every module output the reference recorded, for locating a divergence. */
    @Test
    void intermediateActivations() throws IOException {
        SameDiff sd = SameDiff.create();
        long h = sample.size(2);
        long w = sample.size(3);
        long t = context.size(1);
        SDVariable x = sd.placeHolder("sample", DataType.FLOAT, -1, cfg.inChannels(), h, w);
        SDVariable ts = sd.placeHolder("timesteps", DataType.FLOAT, -1);
        SDVariable c = sd.placeHolder("ctx", DataType.FLOAT, -1, t, cfg.crossAttentionDim());
        UNet.Graph g = unet.build(sd, x, ts, c, h, w, t);
        List<String> names = List.of("time_proj", "time_embedding", "conv_in", "down_blocks.0", "down_blocks.1",
                "mid_block", "up_blocks.0", "up_blocks.1", "conv_norm_out");
        assertEquals(new java.util.TreeSet<>(names), new java.util.TreeSet<>(g.activations().keySet()));
        String[] vars = names.stream().map(n -> g.activations().get(n).name()).toArray(String[]::new);
        Map<String, INDArray> out = sd.output(Map.of("sample", sample, "timesteps",
                Nd4j.createFromArray(500f, 500f), "ctx", context), vars);
        for (int i = 0; i < vars.length; i++) {
            NetTesting.assertClose("unet act_t500." + names.get(i), out.get(vars[i]),
                    NetTesting.golden(goldens, "act_t500." + names.get(i)), TOL);
        }
    }
}
