package org.sdti.model.models;

import java.util.ArrayList;
import java.util.List;
import org.sdti.model.config.ConfigException;
import org.sdti.model.config.VaeConfig;

/**
 * Weights that make an {@code AutoencoderKL} of one level (no down- or upsampling) an identity up to a measured
 * error of order 1e-5, so that a model trained from scratch ({@code sdti pretrain}) can leave the VAE untrained
 * and latents are the pixels themselves: latent channel {@code c < 3} is colour {@code c} in [-1, 1], the others 0.
 *
 * <p>Every resnet and attention block of such a VAE is residual; with its last conv (or output projection) zero it
 * passes its input through exactly. What stands in the way are the GroupNorm + SiLU before each {@code conv_out}.
 * Both are bypassed by carrying each colour {@code x} in a group of four channels {@code (x, −x, K, −K)}:
 * <ul>
 *   <li>the group's mean is exactly 0 and its variance {@code (E[x²] + K²)/2}, so with γ = √(K²/2) the norm
 *       gives {@code x·(1 − E[x²]/2K² + …)}: a relative error below {@code 1/2K²} = 5e-5 for K = 100;</li>
 *   <li>{@code silu(y) − silu(−y) = y} exactly, which {@code conv_out} computes from the first two channels.</li>
 * </ul>
 * The encoder's log-variance is a constant −30 (σ ≈ 3e-7). So the config must be: {@code block_out_channels}
 * {@code [4·in_channels]}, {@code norm_num_groups} = {@code in_channels}, {@code out_channels} =
 * {@code in_channels}, {@code latent_channels} ≥ {@code in_channels}, and {@code scaling_factor} 1.
 */
public final class IdentityVae {
    /** The constant of the companion channels; larger shrinks the norm's error but grows float32 rounding. */
    static final float K = 100f;
    static final float LOGVAR = -30f;

    private final VaeConfig cfg;
    private final WeightLayout layout;

    private IdentityVae(VaeConfig cfg) {
        this.cfg = cfg;
        this.layout = Layouts.vae(cfg);
    }

    /** The construction for {@code cfg}; a {@link ConfigException} naming every field that does not fit. */
    public static IdentityVae of(VaeConfig cfg) {
        List<String> problems = new ArrayList<>();
        int in = cfg.inChannels();
        int[] ch = cfg.blockOutChannels();
        if (ch.length != 1 || ch[0] != 4 * in) {
            problems.add("block_out_channels must be [" + 4 * in + "] (one level of 4·in_channels), got "
                    + java.util.Arrays.toString(ch));
        }
        if (cfg.normNumGroups() != in) {
            problems.add("norm_num_groups must be in_channels (" + in + "), got " + cfg.normNumGroups());
        }
        if (cfg.outChannels() != in) {
            problems.add("out_channels must be in_channels (" + in + "), got " + cfg.outChannels());
        }
        if (cfg.latentChannels() < in) {
            problems.add("latent_channels must be at least in_channels (" + in + "), got " + cfg.latentChannels());
        }
        if (cfg.scalingFactor() != 1.0) {
            problems.add("scaling_factor must be 1, got " + cfg.scalingFactor());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(cfg.source() + ": the VAE is set analytically as an identity, which needs: "
                    + String.join("; ", problems));
        }
        return new IdentityVae(cfg);
    }

    /** The VAE with these weights, ready to encode and decode. */
    public Vae load() throws java.io.IOException {
        return Vae.load(cfg, org.sdti.model.models.nn.ParamStore.converted(layout, this::tensor, "vae",
                org.nd4j.linalg.api.buffer.DataType.FLOAT));
    }

    public WeightLayout layout() {
        return layout;
    }

    /** One tensor of the construction, float32 in PyTorch layout. */
    public float[] tensor(String name) {
        long[] shape = layout.shape(name);
        float[] t = new float[Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
        int colours = cfg.inChannels();
        switch (name) {
            case "encoder.conv_in.weight", "decoder.conv_in.weight" -> {
                for (int c = 0; c < colours; c++) {
                    t[centre(shape, 4 * c, c)] = 1f;
                    t[centre(shape, 4 * c + 1, c)] = -1f;
                }
            }
            case "encoder.conv_in.bias", "decoder.conv_in.bias" -> {
                for (int c = 0; c < colours; c++) {
                    t[4 * c + 2] = K;
                    t[4 * c + 3] = -K;
                }
            }
            case "encoder.conv_norm_out.weight", "decoder.conv_norm_out.weight" -> {
                for (int c = 0; c < colours; c++) {
                    t[4 * c] = (float) Math.sqrt(K * (double) K / 2);
                    t[4 * c + 1] = t[4 * c];
                }
            }
            case "encoder.conv_out.weight", "decoder.conv_out.weight" -> {
                for (int c = 0; c < colours; c++) { // silu(y) − silu(−y) = y
                    t[centre(shape, c, 4 * c)] = 1f;
                    t[centre(shape, c, 4 * c + 1)] = -1f;
                }
            }
            case "quant_conv.weight", "post_quant_conv.weight" -> {
                int mean = name.startsWith("quant") ? cfg.latentChannels() : (int) shape[0];
                for (int c = 0; c < mean; c++) {
                    t[centre(shape, c, c)] = 1f;
                }
            }
            case "quant_conv.bias" -> {
                for (int c = cfg.latentChannels(); c < t.length; c++) {
                    t[c] = LOGVAR;
                }
            }
            default -> {
                if (name.contains("norm") && name.endsWith(".weight")) {
                    java.util.Arrays.fill(t, 1f); // inner norms: harmless values, their blocks add nothing
                }
                // every other weight and bias 0: each residual block's last conv / projection is zero
            }
        }
        return t;
    }

    /** Index of the kernel centre of {@code [out][in]} in a conv weight {@code [O, I, k, k]}. */
    private static int centre(long[] shape, int out, int in) {
        int k = (int) shape[2];
        return ((out * (int) shape[1] + in) * k + k / 2) * k + k / 2;
    }
}
