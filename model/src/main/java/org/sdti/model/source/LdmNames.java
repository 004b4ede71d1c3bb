package org.sdti.model.source;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdti.model.config.UNetConfig;

/**
 * Where a diffusers parameter sits in a single-file SD 2.x checkpoint (the original LDM layout), by the rules of
 * diffusers 0.25.1's converters (the team's {@code ldm_to_diffusers.md}). Block numbers follow SD 2.x: two resnets
 * per down block and three per up block (input/output block stride 3) and four VAE levels, decoder levels reversed.
 * Every released SD 2.x file has that shape, and diffusers' own diffusers-to-original script writes any smaller
 * architecture with the same numbering, so the stride is not derived from {@code layers_per_block}.
 */
final class LdmNames {
    static final String UNET_PREFIX = "model.diffusion_model.";
    static final String VAE_PREFIX = "first_stage_model.";
    static final String TEXT_PREFIX = "cond_stage_model.model.";

    /** A diffusers parameter's place: the stored key, and for fused q/k/v which third of its rows (-1: all). */
    record Place(String key, int third) {
        Place(String key) {
            this(key, -1);
        }
    }

    private static final Pattern TEXT_LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern QKV = Pattern.compile("self_attn\\.([qkv])_proj\\.(weight|bias)");
    private static final Pattern DOWN = Pattern.compile("down_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern DOWNSAMPLE = Pattern.compile("down_blocks\\.(\\d+)\\.downsamplers\\.0\\.conv\\.(.+)");
    private static final Pattern UP = Pattern.compile("up_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern UPSAMPLE = Pattern.compile("up_blocks\\.(\\d+)\\.upsamplers\\.0\\.conv\\.(.+)");
    private static final Pattern MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_DOWN = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_UP = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_MID = Pattern.compile("(encoder|decoder)\\.mid_block\\.(.+)");
    private static final int SD2_VAE_LEVELS = 4;
    private static final int SD2_BLOCK_STRIDE = 3;

    private LdmNames() {}

    static Place textEncoder(String name) {
        String p = TEXT_PREFIX;
        switch (name) {
            case "text_model.embeddings.token_embedding.weight": return new Place(p + "token_embedding.weight");
            case "text_model.embeddings.position_embedding.weight": return new Place(p + "positional_embedding");
            default: break;
        }
        if (name.startsWith("text_model.final_layer_norm.")) {
            return new Place(p + "ln_final." + name.substring("text_model.final_layer_norm.".length()));
        }
        Matcher m = TEXT_LAYER.matcher(name);
        if (!m.matches()) {
            return new Place(p + name);
        }
        String block = p + "transformer.resblocks." + m.group(1) + ".";
        String rest = m.group(2);
        Matcher qkv = QKV.matcher(rest);
        if (qkv.matches()) {
            return new Place(block + "attn.in_proj_" + qkv.group(2), "qkv".indexOf(qkv.group(1)));
        }
        return new Place(block + rest.replace("self_attn.out_proj", "attn.out_proj")
                .replace("layer_norm1", "ln_1").replace("layer_norm2", "ln_2")
                .replace("mlp.fc1", "mlp.c_fc").replace("mlp.fc2", "mlp.c_proj"));
    }

    static Place unet(String name, UNetConfig config) {
        return new Place(UNET_PREFIX + unetKey(name, config.upBlockTypes()));
    }

    private static String unetKey(String name, List<String> upBlockTypes) {
        int s = SD2_BLOCK_STRIDE;
        Matcher m;
        if ((m = DOWN.matcher(name)).matches()) {
            int k = 1 + s * num(m, 1) + num(m, 3);
            return "input_blocks." + k + (m.group(2).equals("resnets") ? ".0." + resnet(m.group(4)) : ".1." + m.group(4));
        }
        if ((m = DOWNSAMPLE.matcher(name)).matches()) {
            return "input_blocks." + s * (num(m, 1) + 1) + ".0.op." + m.group(2);
        }
        if ((m = UP.matcher(name)).matches()) {
            int k = s * num(m, 1) + num(m, 3);
            return "output_blocks." + k + (m.group(2).equals("resnets") ? ".0." + resnet(m.group(4)) : ".1." + m.group(4));
        }
        if ((m = UPSAMPLE.matcher(name)).matches()) {
            int i = num(m, 1);
            boolean attention = i < upBlockTypes.size() && upBlockTypes.get(i).startsWith("CrossAttn");
            return "output_blocks." + (s * i + s - 1) + "." + (attention ? 2 : 1) + ".conv." + m.group(2);
        }
        if ((m = MID.matcher(name)).matches()) {
            return m.group(1).equals("attentions") ? "middle_block.1." + m.group(3)
                    : "middle_block." + 2 * num(m, 2) + "." + resnet(m.group(3));
        }
        if (name.startsWith("time_embedding.linear_1.")) return "time_embed.0." + tail(name);
        if (name.startsWith("time_embedding.linear_2.")) return "time_embed.2." + tail(name);
        if (name.startsWith("conv_in.")) return "input_blocks.0.0." + tail(name);
        if (name.startsWith("conv_norm_out.")) return "out.0." + tail(name);
        if (name.startsWith("conv_out.")) return "out.2." + tail(name);
        return name;
    }

    private static String resnet(String rest) {
        return rest.replace("norm1", "in_layers.0").replace("conv1", "in_layers.2")
                .replace("time_emb_proj", "emb_layers.1").replace("norm2", "out_layers.0")
                .replace("conv2", "out_layers.3").replace("conv_shortcut", "skip_connection");
    }

    static Place vae(String name) {
        return new Place(VAE_PREFIX + vaeKey(name));
    }

    private static String vaeKey(String name) {
        Matcher m;
        if ((m = VAE_DOWN.matcher(name)).matches()) {
            return "encoder.down." + m.group(1) + "." + vaeLevel(m.group(2), "downsample");
        }
        if ((m = VAE_UP.matcher(name)).matches()) {
            return "decoder.up." + (SD2_VAE_LEVELS - 1 - num(m, 1)) + "." + vaeLevel(m.group(2), "upsample");
        }
        if ((m = VAE_MID.matcher(name)).matches()) {
            String rest = m.group(2).replace("resnets.0.", "block_1.").replace("resnets.1.", "block_2.")
                    .replace("attentions.0.group_norm.", "attn_1.norm.").replace("attentions.0.to_q.", "attn_1.q.")
                    .replace("attentions.0.to_k.", "attn_1.k.").replace("attentions.0.to_v.", "attn_1.v.")
                    .replace("attentions.0.to_out.0.", "attn_1.proj_out.");
            return m.group(1) + ".mid." + rest.replace("conv_shortcut", "nin_shortcut");
        }
        return name.replace("conv_norm_out", "norm_out");
    }

    private static String vaeLevel(String rest, String sampler) {
        return rest.replace("resnets.", "block.").replace("conv_shortcut", "nin_shortcut")
                .replace(sampler + "rs.0.conv", sampler + ".conv");
    }

    /** The VAE's mid-block attention is stored as 1x1 convolutions: {@code [C, C, 1, 1]}, biases maybe {@code [C, 1, 1]}. */
    static boolean isConvAttention(String key) {
        return key.startsWith(VAE_PREFIX) && key.contains(".mid.attn_1.") && !key.contains(".attn_1.norm.");
    }

    /** The most VAE or U-Net levels the SD 2.x numbering can name. */
    static int maxLevels() {
        return SD2_VAE_LEVELS;
    }

    private static int num(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }

    private static String tail(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
