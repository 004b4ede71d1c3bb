package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * diffusers' {@code Transformer2DModel} on continuous input as SD 1/2 use it: GroupNorm (eps 1e-6), {@code proj_in}
 * (Linear on tokens when {@code linearProjection}, else a 1×1 conv before flattening), {@code layers}
 * {@code BasicTransformerBlock}s, {@code proj_out}, plus the input.
 *
 * <p>Each block (pre-LayerNorm, eps 1e-5): self-attention (cross-attention to the context instead when
 * {@code onlyCrossAttention}), cross-attention to the context, GEGLU feed-forward of width 4·C; each with a residual.
 */
public record Transformer2D(String name, int channels, int heads, int layers, int groups, boolean linearProjection,
                            boolean onlyCrossAttention) {
    static final double GROUP_NORM_EPS = 1e-6;
    static final double LAYER_NORM_EPS = 1e-5;

    /**
     * @param x {@code [B, C, h, w]}
     * @param context encoder hidden states flattened to {@code [B·tokens, D]}
     */
    public SDVariable apply(SameDiff sd, ParamStore p, SDVariable x, long h, long w, SDVariable context,
                            long tokens) {
        SDVariable normed = new GroupNorm(name + ".norm", channels, groups, GROUP_NORM_EPS).apply(sd, p, x, h, w);
        SDVariable t;
        if (linearProjection) {
            t = Linear.of(sd, p, name + ".proj_in").apply(ImageTokens.fromImage(sd, normed, channels, h, w));
        } else {
            t = ImageTokens.fromImage(sd, new Conv2d(name + ".proj_in", 1, 1, 0).apply(sd, p, normed), channels, h, w);
        }
        for (int k = 0; k < layers; k++) {
            t = block(sd, p, name + ".transformer_blocks." + k, t, Math.toIntExact(h * w), context,
                    Math.toIntExact(tokens));
        }
        SDVariable y = linearProjection
                ? ImageTokens.toImage(sd, Linear.of(sd, p, name + ".proj_out").apply(t), channels, h, w)
                : new Conv2d(name + ".proj_out", 1, 1, 0).apply(sd, p, ImageTokens.toImage(sd, t, channels, h, w));
        return y.add(x);
    }

    private SDVariable block(SameDiff sd, ParamStore p, String b, SDVariable t, int n, SDVariable context,
                             int tokens) {
        SDVariable a = LayerNorm.of(sd, p, b + ".norm1", LAYER_NORM_EPS).apply(t);
        MultiHeadAttention attn1 = attention(sd, p, b + ".attn1");
        t = t.add(onlyCrossAttention ? attn1.apply(a, n, context, tokens) : attn1.apply(a, n));
        a = LayerNorm.of(sd, p, b + ".norm2", LAYER_NORM_EPS).apply(t);
        t = t.add(attention(sd, p, b + ".attn2").apply(a, n, context, tokens));
        a = LayerNorm.of(sd, p, b + ".norm3", LAYER_NORM_EPS).apply(t);
        return t.add(feedForward(sd, p, b + ".ff", a));
    }

    private MultiHeadAttention attention(SameDiff sd, ParamStore p, String prefix) {
        return MultiHeadAttention.of(sd, p, MultiHeadAttention.Names.diffusers(prefix), heads, false, false);
    }

    /** diffusers' GEGLU feed-forward: {@code proj} to 2·inner, {@code a · gelu(gate)}, then {@code net.2} back. */
    private static SDVariable feedForward(SameDiff sd, ParamStore p, String prefix, SDVariable x) {
        SDVariable[] parts = sd.split(Linear.of(sd, p, prefix + ".net.0.proj").apply(x), 2, 1);
        return Linear.of(sd, p, prefix + ".net.2").apply(parts[0].mul(Activation.GELU.apply(sd, parts[1])));
    }
}
