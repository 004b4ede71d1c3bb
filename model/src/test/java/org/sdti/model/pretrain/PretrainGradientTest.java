package org.sdti.model.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.Architecture;
import org.sdti.model.models.RandomModelFolder;

/**
 * The full-weight gradients of {@link PretrainGraph} against central differences of its loss, in float64, on the
 * tiny architecture (text encoder 3×16, U-Net 32/48 with cross-attention, 8×8 latents, batch 2): sampled elements
 * of every kind of weight, of both networks and of the token table, which is trained outside the graph.
 */
class PretrainGradientTest {
    /** h = 1e-6 in float64: truncation ~1e-12, rounding ~1e-10 of a loss ~1. */
    static final double H = 1e-6;
    static final double ABS = 1e-8;
    static final double REL = 1e-5;

    static PretrainGraph graph;
    static long[][] ids;
    static INDArray noisy;
    static INDArray timesteps;
    static INDArray target;

    @BeforeAll
    static void build() throws Exception {
        Architecture tiny = Architecture.preset("tiny");
        TrainableNetworks nets = TrainableNetworks.of(tiny.textEncoder(),
                RandomModelFolder.textEncoder(tiny, 5)::tensor, tiny.unet(), RandomModelFolder.unet(tiny, 5)::tensor,
                DataType.DOUBLE);
        graph = PretrainGraph.build(nets, 2, 4, 8, 8);
        ids = new long[2][77];
        long[][] words = {{49406, 320, 1125, 539, 320, 736, 2368, 49407}, {49406, 320, 2368, 49407}};
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 77; t++) {
                ids[b][t] = t < words[b].length ? words[b][t] : 0;
            }
        }
        SplittableRandom r = new SplittableRandom(3);
        noisy = Nd4j.create(gaussian(r, 2 * 4 * 64), new long[] {2, 4, 8, 8}, 'c');
        target = Nd4j.create(gaussian(r, 2 * 4 * 64), new long[] {2, 4, 8, 8}, 'c');
        timesteps = Nd4j.createFromArray(37.0, 811.0);
    }

    @Test
    void everyKindOfWeightMatchesFiniteDifferences() {
        String te = "text_model.encoder.layers.";
        String attn = "unet/down_blocks.0.attentions.0.transformer_blocks.0.";
        List<String> kinds = List.of(
                "unet/conv_in.weight", "unet/conv_out.bias",                                       // conv
                "unet/down_blocks.0.resnets.0.conv1.weight",
                "unet/down_blocks.0.downsamplers.0.conv.weight",                                  // strided conv
                "unet/up_blocks.0.upsamplers.0.conv.weight",
                "unet/up_blocks.1.resnets.0.conv_shortcut.weight",
                "unet/time_embedding.linear_1.weight",                                            // linear
                "unet/down_blocks.0.resnets.0.time_emb_proj.bias",
                "unet/down_blocks.0.resnets.0.norm1.weight", "unet/conv_norm_out.bias",          // group norm
                attn + "norm2.weight",                                                           // layer norm
                attn + "attn1.to_q.weight", attn + "attn2.to_k.weight", attn + "attn2.to_out.0.bias", // attention
                attn + "ff.net.0.proj.weight",
                "unet/down_blocks.0.attentions.0.proj_in.weight",
                te + "0.self_attn.q_proj.weight.T", te + "1.self_attn.v_proj.bias",              // text encoder
                te + "2.mlp.fc1.weight.T", te + "0.layer_norm1.bias", "text_model.final_layer_norm.weight",
                "text_model.embeddings.position_embedding.weight",                               // embeddings
                PretrainGraph.TOKEN_TABLE);
        assertTrue(graph.parameters().containsAll(kinds), "missing parameters: " + kinds.stream()
                .filter(k -> !graph.parameters().contains(k)).toList());

        PretrainGraph.Result r = graph.step(ids, noisy, timesteps, target);
        SplittableRandom pick = new SplittableRandom(11);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String key : kinds) {
            INDArray p = graph.parameter(key);
            INDArray g = r.gradients().get(key);
            assertEquals(java.util.Arrays.toString(p.shape()), java.util.Arrays.toString(g.shape()), key);
            for (int k = 0; k < 2; k++) {
                long i = key.equals(PretrainGraph.TOKEN_TABLE)
                        ? 2368 * p.columns() + pick.nextInt((int) p.columns()) // "star": used in both rows
                        : key.endsWith("position_embedding.weight") ? pick.nextInt(8 * (int) p.columns())
                        : pick.nextLong(p.length());
                double numeric = centralDifference(p, i);
                double analytic = g.reshape(-1).getDouble(i);
                checked++;
                if (Math.abs(numeric - analytic) > ABS + REL * Math.abs(numeric)) {
                    failures.add(key + "[" + i + "]: analytic " + analytic + ", finite difference " + numeric);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " differ:\n" + String.join("\n", failures));
    }

    @Test
    void everyWeightOfBothNetworksGetsAGradient() {
        PretrainGraph.Result r = graph.step(ids, noisy, timesteps, target);
        List<String> zero = new ArrayList<>();
        for (String key : graph.parameters()) {
            if (r.gradients().get(key).norm2Number().doubleValue() == 0) {
                zero.add(key);
            }
        }
        assertTrue(zero.isEmpty(), "parameters without gradient: " + zero);
        // U-Net 32/48 and text encoder 3×16 of the tiny preset: every weight of both (biases, norms included)
        assertTrue(graph.parameters().size() > 150, graph.parameters().size() + " parameters");
    }

    private static double centralDifference(INDArray p, long i) {
        INDArray flat = p.reshape(-1);
        double v = flat.getDouble(i);
        flat.putScalar(i, v + H);
        double up = graph.loss(ids, noisy, timesteps, target);
        flat.putScalar(i, v - H);
        double down = graph.loss(ids, noisy, timesteps, target);
        flat.putScalar(i, v);
        return (up - down) / (2 * H);
    }

    private static double[] gaussian(SplittableRandom r, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return out;
    }
}
