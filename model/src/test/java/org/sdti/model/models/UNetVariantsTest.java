package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sdti.model.config.JsonConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.models.nn.ParamStore;

/**
 * Configurations the tiny fixture does not cover, on seeded random weights: three levels, two resnets per block,
 * two transformer layers, 1×1-conv projections (SD 1 style), non-square latents and images. The conv projection is
 * checked numerically against the (golden-checked) linear projection with the same weights.
 */
class UNetVariantsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static UNetConfig unetConfig(boolean linearProjection) throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(NetTesting.config("unet").raw().toString());
        n.putArray("block_out_channels").add(32).add(48).add(64);
        n.putArray("down_block_types").add("CrossAttnDownBlock2D").add("CrossAttnDownBlock2D").add("DownBlock2D");
        n.putArray("up_block_types").add("UpBlock2D").add("CrossAttnUpBlock2D").add("CrossAttnUpBlock2D");
        n.putArray("attention_head_dim").add(2).add(4).add(4);
        n.putArray("transformer_layers_per_block").add(1).add(2).add(2);
        n.put("layers_per_block", 2);
        n.put("use_linear_projection", linearProjection);
        return UNetConfig.from(JsonConfig.parse("variant unet", n.toString()));
    }

    static INDArray randn(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, shape);
    }

    @Test
    void deeperUNetOnNonSquareLatents() throws IOException {
        UNetConfig lin = unetConfig(true);
        WeightLayout layout = Layouts.unet(lin);
        UNet a = UNet.load(lin, ParamStore.converted(layout, new RandomWeights(layout, 7)::tensor,
                "unet", DataType.FLOAT));
        UNetConfig conv = unetConfig(false);
        WeightLayout convLayout = Layouts.unet(conv);
        UNet b = UNet.load(conv, ParamStore.converted(convLayout, new RandomWeights(convLayout, 7)::tensor,
                "unet", DataType.FLOAT));

        INDArray sample = randn(1, 2, 4, 8, 12);
        INDArray ctx = randn(2, 2, 77, lin.crossAttentionDim());
        INDArray t = Nd4j.createFromArray(10f, 700f);
        INDArray out = a.predict(sample, t, ctx);
        assertArrayEquals(new long[] {2, 4, 8, 12}, out.shape());
        assertTrue(Double.isFinite(out.sumNumber().doubleValue()) && out.amaxNumber().doubleValue() > 0);
        NetTesting.assertClose("variant conv vs linear projection", b.predict(sample, t, ctx), out, 1e-5);
        UNet other = UNet.load(lin, ParamStore.converted(layout, new RandomWeights(layout, 8)::tensor,
                "unet", DataType.FLOAT));
        assertTrue(NetTesting.maxAbsDiff(other.predict(sample, t, ctx), out) > 1e-2, "weights must matter");

        INDArray one = a.predict(sample.get(NDArrayIndex.interval(1, 2)).dup(), Nd4j.createFromArray(700f),
                ctx.get(NDArrayIndex.interval(1, 2)).dup());
        NetTesting.assertClose("variant batch of one", one, out.get(NDArrayIndex.interval(1, 2)), 1e-5);
        // odd sizes need diffusers' upsample_size forwarding, which is not implemented
        assertThrows(IllegalArgumentException.class, () -> a.predict(randn(3, 1, 4, 6, 8),
                Nd4j.createFromArray(1f), ctx.get(NDArrayIndex.interval(0, 1)).dup()));
    }

    @Test
    void deeperVaeOnNonSquareImages() throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(NetTesting.config("vae").raw().toString());
        n.putArray("block_out_channels").add(16).add(32).add(32);
        n.putArray("down_block_types").add("DownEncoderBlock2D").add("DownEncoderBlock2D").add("DownEncoderBlock2D");
        n.putArray("up_block_types").add("UpDecoderBlock2D").add("UpDecoderBlock2D").add("UpDecoderBlock2D");
        n.put("layers_per_block", 2);
        VaeConfig cfg = VaeConfig.from(JsonConfig.parse("variant vae", n.toString()));
        WeightLayout layout = Layouts.vae(cfg);
        Vae vae = Vae.load(cfg, ParamStore.converted(layout, new RandomWeights(layout, 3)::tensor,
                "vae", DataType.FLOAT));

        Vae.LatentDist d = vae.encode(randn(4, 2, 3, 16, 24));
        assertArrayEquals(new long[] {2, 4, 4, 6}, d.mean().shape());
        assertEquals(0.0, d.std().sub(Nd4j.math().exp(d.logvar().mul(0.5))).amaxNumber().doubleValue(), 1e-6);
        INDArray image = vae.decode(d.mean());
        assertArrayEquals(new long[] {2, 3, 16, 24}, image.shape());
        assertTrue(Double.isFinite(image.sumNumber().doubleValue()));
    }
}
