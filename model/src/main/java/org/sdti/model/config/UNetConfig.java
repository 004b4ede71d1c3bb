package org.sdti.model.config;

import java.util.List;

/**
 * diffusers' {@code UNet2DConditionModel} config as Stable Diffusion 1/2 use it ({@code unet/config.json}).
 *
 * <p>{@code attention_head_dim} in SD 2 configs is a legacy misnomer for the number of heads per block (diffusers
 * reads it as {@code num_attention_heads} when that key is absent); {@link #heads()} holds those head counts.
 */
public record UNetConfig(
        int inChannels,
        int outChannels,
        int sampleSize,
        int[] blockOutChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        int layersPerBlock,
        int[] heads,
        int[] transformerLayersPerBlock,
        int crossAttentionDim,
        int normNumGroups,
        double normEps,
        boolean flipSinToCos,
        int freqShift,
        boolean useLinearProjection,
        boolean upcastAttention,
        boolean onlyCrossAttention,
        int downsamplePadding,
        double midBlockScaleFactor,
        boolean centerInputSample,
        int convInKernel,
        int convOutKernel,
        String source) {

    public static final String CROSS_DOWN = "CrossAttnDownBlock2D";
    public static final String DOWN = "DownBlock2D";
    public static final String CROSS_UP = "CrossAttnUpBlock2D";
    public static final String UP = "UpBlock2D";

    public UNetConfig {
        blockOutChannels = blockOutChannels.clone();
        heads = heads.clone();
        transformerLayersPerBlock = transformerLayersPerBlock.clone();
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
    }

    public static UNetConfig from(JsonConfig c) {
        List<String> down = c.requireStringList("down_block_types");
        List<String> up = c.requireStringList("up_block_types");
        int[] channels = c.requireIntList("block_out_channels");
        int n = channels.length;
        if (down.size() != n || up.size() != n) {
            throw new ConfigException(c.source() + ": down_block_types (" + down.size() + "), up_block_types ("
                    + up.size() + ") and block_out_channels (" + n + ") must have the same length");
        }
        for (String t : down) {
            c.requireOneOf("down_block_types", t, CROSS_DOWN, DOWN);
        }
        for (String t : up) {
            c.requireOneOf("up_block_types", t, CROSS_UP, UP);
        }
        String mid = c.optString("mid_block_type", "UNetMidBlock2DCrossAttn");
        c.requireOneOf("mid_block_type", mid, "UNetMidBlock2DCrossAttn");
        c.requireOneOf("act_fn", c.optString("act_fn", "silu"), "silu");
        c.requireOneOf("time_embedding_type", c.optString("time_embedding_type", "positional"), "positional");
        c.requireOneOf("resnet_time_scale_shift", c.optString("resnet_time_scale_shift", "default"), "default");
        c.requireOneOf("attention_type", c.optString("attention_type", "default"), "default");
        for (String k : List.of("class_embed_type", "num_class_embeds", "addition_embed_type", "encoder_hid_dim",
                "time_cond_proj_dim", "time_embedding_dim", "time_embedding_act_fn", "timestep_post_act",
                "dual_cross_attention", "mid_block_only_cross_attention", "cross_attention_norm",
                "reverse_transformer_layers_per_block")) {
            c.requireUnset(k, "not used by Stable Diffusion 1/2 U-Nets");
        }
        if (c.optDouble("resnet_out_scale_factor", 1.0) != 1.0) {
            throw new ConfigException(c.source() + ": key 'resnet_out_scale_factor' must be 1.0");
        }
        // diffusers: num_attention_heads = num_attention_heads or attention_head_dim (the SD 2 legacy naming)
        int[] heads = c.has("num_attention_heads")
                ? c.intOrPerBlock("num_attention_heads", n)
                : c.intOrPerBlock("attention_head_dim", n);
        if (c.has("num_attention_heads") && c.has("attention_head_dim")) {
            throw new ConfigException(c.source() + ": set either num_attention_heads or attention_head_dim, not both");
        }
        for (int i = 0; i < n; i++) {
            if (heads[i] <= 0 || channels[i] % heads[i] != 0) {
                throw new ConfigException(c.source() + ": block " + i + " has " + channels[i]
                        + " channels, not divisible into " + heads[i] + " attention heads");
            }
        }
        int[] tl = c.has("transformer_layers_per_block")
                ? c.intOrPerBlock("transformer_layers_per_block", n)
                : filled(n, 1);
        if (c.has("only_cross_attention") && c.raw().get("only_cross_attention").isArray()) {
            throw new ConfigException(c.source() + ": per-block only_cross_attention is not supported");
        }
        return new UNetConfig(
                c.requireInt("in_channels"),
                c.requireInt("out_channels"),
                c.requireInt("sample_size"),
                channels, down, up,
                c.requireInt("layers_per_block"),
                heads, tl,
                c.requireInt("cross_attention_dim"),
                c.optInt("norm_num_groups", 32),
                c.optDouble("norm_eps", 1e-5),
                c.optBool("flip_sin_to_cos", true),
                c.optInt("freq_shift", 0),
                c.optBool("use_linear_projection", false),
                c.optBool("upcast_attention", false),
                c.optBool("only_cross_attention", false),
                c.optInt("downsample_padding", 1),
                c.optDouble("mid_block_scale_factor", 1.0),
                c.optBool("center_input_sample", false),
                c.optInt("conv_in_kernel", 3),
                c.optInt("conv_out_kernel", 3),
                c.source());
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }

    @Override
    public int[] heads() {
        return heads.clone();
    }

    @Override
    public int[] transformerLayersPerBlock() {
        return transformerLayersPerBlock.clone();
    }

    public int levels() {
        return blockOutChannels.length;
    }

    public int channels(int level) {
        return blockOutChannels[level];
    }

    /** Time embedding width: 4 × the first block's channels. */
    public int timeEmbedDim() {
        return blockOutChannels[0] * 4;
    }

    /** Latent downscale factor of the U-Net: 2 per level but the last. */
    public int downscale() {
        return 1 << (blockOutChannels.length - 1);
    }
}
