package org.sdti.model.config;

import java.util.List;

/**
 * diffusers' {@code AutoencoderKL} config ({@code vae/config.json}).
 *
 * @param scalingFactor latents are multiplied by it before the U-Net; 0.18215 when the config has none (the
 *     published SD 2.1 VAE config lacks the key and diffusers' default applies)
 */
public record VaeConfig(
        int inChannels,
        int outChannels,
        int latentChannels,
        int[] blockOutChannels,
        int layersPerBlock,
        int normNumGroups,
        int sampleSize,
        double scalingFactor,
        String source) {

    public static final double DEFAULT_SCALING_FACTOR = 0.18215;

    public VaeConfig {
        blockOutChannels = blockOutChannels.clone();
    }

    public static VaeConfig from(JsonConfig c) {
        int[] ch = c.requireIntList("block_out_channels");
        List<String> down = c.has("down_block_types") ? c.requireStringList("down_block_types") : List.of();
        List<String> up = c.has("up_block_types") ? c.requireStringList("up_block_types") : List.of();
        for (String t : down) {
            c.requireOneOf("down_block_types", t, "DownEncoderBlock2D");
        }
        for (String t : up) {
            c.requireOneOf("up_block_types", t, "UpDecoderBlock2D");
        }
        if ((!down.isEmpty() && down.size() != ch.length) || (!up.isEmpty() && up.size() != ch.length)) {
            throw new ConfigException(c.source() + ": down_block_types/up_block_types must have one entry per "
                    + "block_out_channels entry (" + ch.length + ")");
        }
        c.requireOneOf("act_fn", c.optString("act_fn", "silu"), "silu");
        c.requireUnset("latents_mean", "per-channel latent statistics are an SDXL/SD3 feature");
        c.requireUnset("shift_factor", "latent shift is an SD3 feature");
        return new VaeConfig(
                c.optInt("in_channels", 3),
                c.optInt("out_channels", 3),
                c.optInt("latent_channels", 4),
                ch,
                c.optInt("layers_per_block", 1),
                c.optInt("norm_num_groups", 32),
                c.optInt("sample_size", 32),
                c.optDouble("scaling_factor", DEFAULT_SCALING_FACTOR),
                c.source());
    }

    @Override
    public int[] blockOutChannels() {
        return blockOutChannels.clone();
    }

    /** Pixel-to-latent downscale factor: 2 per block but the last (8 for SD). */
    public int downscale() {
        return 1 << (blockOutChannels.length - 1);
    }
}
