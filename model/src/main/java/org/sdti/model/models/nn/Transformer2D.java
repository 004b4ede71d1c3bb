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
    public SDVariable apply(SameDiff sd, UNetOps.Params p, SDVariable x, long h, long w, SDVariable context,
                            long tokens) {
        SDVariable normed = new GroupNorm(name + ".norm", channels, groups, GROUP_NORM_EPS).apply(sd, p, x, h, w);
        SDVariable t;
        if (linearProjection) {
            t = UNetOps.linear(sd, p, name + ".proj_in", UNetOps.toTokens(sd, normed, channels, h, w));
        } else {
            t = UNetOps.toTokens(sd, new Conv2d(name + ".proj_in", 1, 1, 0).apply(sd, p, normed), channels, h, w);
        }
        for (int k = 0; k < layers; k++) {
            t = block(sd, p, name + ".transformer_blocks." + k, t, h * w, context, tokens);
        }
        SDVariable y = linearProjection
                ? UNetOps.fromTokens(sd, UNetOps.linear(sd, p, name + ".proj_out", t), channels, h, w)
                : new Conv2d(name + ".proj_out", 1, 1, 0).apply(sd, p, UNetOps.fromTokens(sd, t, channels, h, w));
        return y.add(x);
    }

    private SDVariable block(SameDiff sd, UNetOps.Params p, String b, SDVariable t, long n, SDVariable context,
                             long tokens) {
        SDVariable a = UNetOps.layerNorm(sd, p, b + ".norm1", t, LAYER_NORM_EPS);
        t = t.add(onlyCrossAttention
                ? UNetOps.attention(sd, p, b + ".attn1", a, n, context, tokens, heads, channels)
                : UNetOps.attention(sd, p, b + ".attn1", a, n, a, n, heads, channels));
        a = UNetOps.layerNorm(sd, p, b + ".norm2", t, LAYER_NORM_EPS);
        t = t.add(UNetOps.attention(sd, p, b + ".attn2", a, n, context, tokens, heads, channels));
        a = UNetOps.layerNorm(sd, p, b + ".norm3", t, LAYER_NORM_EPS);
        return t.add(UNetOps.gegluFeedForward(sd, p, b + ".ff", a));
    }
}
