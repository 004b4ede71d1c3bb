package org.sdti.model.models;

import org.sdti.model.config.TextEncoderConfig;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;

/** The weight layouts of the three Stable Diffusion networks, derived from their configs. */
public final class Layouts {
    private Layouts() {}

    /** transformers' {@code CLIPTextModel} (without the optional {@code position_ids} buffer). */
    public static WeightLayout textEncoder(TextEncoderConfig c) {
        WeightLayout.Builder b = new WeightLayout.Builder();
        long h = c.hiddenSize();
        b.tensor("text_model.embeddings.token_embedding.weight", c.vocabSize(), h);
        b.tensor("text_model.embeddings.position_embedding.weight", c.maxPositionEmbeddings(), h);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "text_model.encoder.layers." + i + ".";
            b.linear(p + "self_attn.k_proj", h, h);
            b.linear(p + "self_attn.v_proj", h, h);
            b.linear(p + "self_attn.q_proj", h, h);
            b.linear(p + "self_attn.out_proj", h, h);
            b.norm(p + "layer_norm1", h);
            b.linear(p + "mlp.fc1", h, c.intermediateSize());
            b.linear(p + "mlp.fc2", c.intermediateSize(), h);
            b.norm(p + "layer_norm2", h);
        }
        b.norm("text_model.final_layer_norm", h);
        return b.build();
    }

    /** diffusers' {@code UNet2DConditionModel} as SD 1/2 configure it. */
    public static WeightLayout unet(UNetConfig c) {
        WeightLayout.Builder b = new WeightLayout.Builder();
        int n = c.levels();
        long temb = c.timeEmbedDim();
        b.conv("conv_in", c.inChannels(), c.channels(0), c.convInKernel());
        b.linear("time_embedding.linear_1", c.channels(0), temb);
        b.linear("time_embedding.linear_2", temb, temb);
        int[] heads = c.heads();
        int[] tl = c.transformerLayersPerBlock();
        long out = c.channels(0);
        for (int i = 0; i < n; i++) {
            long in = out;
            out = c.channels(i);
            boolean cross = UNetConfig.CROSS_DOWN.equals(c.downBlockTypes().get(i));
            for (int j = 0; j < c.layersPerBlock(); j++) {
                String p = "down_blocks." + i;
                resnet(b, p + ".resnets." + j, j == 0 ? in : out, out, temb);
                if (cross) {
                    transformer(b, p + ".attentions." + j, out, tl[i], c);
                }
            }
            if (i < n - 1) {
                b.conv("down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
            }
        }
        long mid = c.channels(n - 1);
        resnet(b, "mid_block.resnets.0", mid, mid, temb);
        transformer(b, "mid_block.attentions.0", mid, tl[n - 1], c);
        resnet(b, "mid_block.resnets.1", mid, mid, temb);
        long prevOut = mid;
        for (int i = 0; i < n; i++) {
            long outCh = c.channels(n - 1 - i);
            long inCh = c.channels(Math.max(n - 2 - i, 0));
            boolean cross = UNetConfig.CROSS_UP.equals(c.upBlockTypes().get(i));
            int layers = c.layersPerBlock() + 1;
            for (int j = 0; j < layers; j++) {
                long skip = j == layers - 1 ? inCh : outCh;
                long resIn = j == 0 ? prevOut : outCh;
                String p = "up_blocks." + i;
                resnet(b, p + ".resnets." + j, resIn + skip, outCh, temb);
                if (cross) {
                    transformer(b, p + ".attentions." + j, outCh, tl[n - 1 - i], c);
                }
            }
            if (i < n - 1) {
                b.conv("up_blocks." + i + ".upsamplers.0.conv", outCh, outCh, 3);
            }
            prevOut = outCh;
        }
        b.norm("conv_norm_out", c.channels(0));
        b.conv("conv_out", c.channels(0), c.outChannels(), c.convOutKernel());
        return b.build();
    }

    /** diffusers' {@code AutoencoderKL} (encoder, decoder and the quant convs). */
    public static WeightLayout vae(VaeConfig c) {
        WeightLayout.Builder b = new WeightLayout.Builder();
        int[] ch = c.blockOutChannels();
        int n = ch.length;
        long latent = c.latentChannels();
        b.conv("encoder.conv_in", c.inChannels(), ch[0], 3);
        long out = ch[0];
        for (int i = 0; i < n; i++) {
            long in = out;
            out = ch[i];
            for (int j = 0; j < c.layersPerBlock(); j++) {
                resnet(b, "encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out, 0);
            }
            if (i < n - 1) {
                b.conv("encoder.down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
            }
        }
        vaeMid(b, "encoder.mid_block", ch[n - 1]);
        b.norm("encoder.conv_norm_out", ch[n - 1]);
        b.conv("encoder.conv_out", ch[n - 1], 2 * latent, 3);
        b.conv("quant_conv", 2 * latent, 2 * latent, 1);
        b.conv("post_quant_conv", latent, latent, 1);
        b.conv("decoder.conv_in", latent, ch[n - 1], 3);
        vaeMid(b, "decoder.mid_block", ch[n - 1]);
        long prev = ch[n - 1];
        for (int i = 0; i < n; i++) {
            long o = ch[n - 1 - i];
            for (int j = 0; j < c.layersPerBlock() + 1; j++) {
                resnet(b, "decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : o, o, 0);
            }
            if (i < n - 1) {
                b.conv("decoder.up_blocks." + i + ".upsamplers.0.conv", o, o, 3);
            }
            prev = o;
        }
        b.norm("decoder.conv_norm_out", ch[0]);
        b.conv("decoder.conv_out", ch[0], c.outChannels(), 3);
        return b.build();
    }

    private static void vaeMid(WeightLayout.Builder b, String p, long c) {
        resnet(b, p + ".resnets.0", c, c, 0);
        String a = p + ".attentions.0";
        b.norm(a + ".group_norm", c);
        b.linear(a + ".to_q", c, c);
        b.linear(a + ".to_k", c, c);
        b.linear(a + ".to_v", c, c);
        b.linear(a + ".to_out.0", c, c);
        resnet(b, p + ".resnets.1", c, c, 0);
    }

    /** diffusers' {@code ResnetBlock2D}; {@code temb == 0} means no time projection (the VAE's). */
    private static void resnet(WeightLayout.Builder b, String p, long in, long out, long temb) {
        b.norm(p + ".norm1", in);
        b.conv(p + ".conv1", in, out, 3);
        if (temb > 0) {
            b.linear(p + ".time_emb_proj", temb, out);
        }
        b.norm(p + ".norm2", out);
        b.conv(p + ".conv2", out, out, 3);
        if (in != out) {
            b.conv(p + ".conv_shortcut", in, out, 1);
        }
    }

    /** diffusers' {@code Transformer2DModel} with {@code BasicTransformerBlock}s (self-, cross-attention, GEGLU). */
    private static void transformer(WeightLayout.Builder b, String p, long c, int layers, UNetConfig cfg) {
        b.norm(p + ".norm", c);
        if (cfg.useLinearProjection()) {
            b.linear(p + ".proj_in", c, c);
        } else {
            b.conv(p + ".proj_in", c, c, 1);
        }
        long cross = cfg.crossAttentionDim();
        for (int k = 0; k < layers; k++) {
            String t = p + ".transformer_blocks." + k;
            b.norm(t + ".norm1", c);
            b.linearNoBias(t + ".attn1.to_q", c, c);
            b.linearNoBias(t + ".attn1.to_k", cfg.onlyCrossAttention() ? cross : c, c);
            b.linearNoBias(t + ".attn1.to_v", cfg.onlyCrossAttention() ? cross : c, c);
            b.linear(t + ".attn1.to_out.0", c, c);
            b.norm(t + ".norm2", c);
            b.linearNoBias(t + ".attn2.to_q", c, c);
            b.linearNoBias(t + ".attn2.to_k", cross, c);
            b.linearNoBias(t + ".attn2.to_v", cross, c);
            b.linear(t + ".attn2.to_out.0", c, c);
            b.norm(t + ".norm3", c);
            b.linear(t + ".ff.net.0.proj", c, c * 4 * 2);
            b.linear(t + ".ff.net.2", c * 4, c);
        }
        if (cfg.useLinearProjection()) {
            b.linear(p + ".proj_out", c, c);
        } else {
            b.conv(p + ".proj_out", c, c, 1);
        }
    }
}
