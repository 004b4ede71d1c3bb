package org.sdti.model.models.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head scaled dot-product attention with q/k/v/out projections: transformers' {@code CLIPAttention} and
 * diffusers' {@code Attention} (self-attention, and cross-attention when keys and values come from a context).
 *
 * <p>Inputs and output are token matrices {@code [batch·tokens, channels]}, the layout every per-token block
 * (Linear, LayerNorm, activations) works on without reshaping; only attention needs the sequence lengths, to split
 * rows back into sequences. Scores are {@code softmax(q·kᵀ/√headDim [+ causal mask])}, computed batched over
 * {@code [batch, heads, tokens, headDim]} with rank-4 matmuls.
 */
public final class MultiHeadAttention {
    /** Masked scores; finite (not -inf) so that no 0·∞ can reach a gradient, and exp underflows to exactly 0. */
    private static final double MASKED = -1e9;

    /** Parameter prefixes of the four projections. */
    public record Names(String query, String key, String value, String out) {
        /** transformers' CLIP naming: {@code q_proj, k_proj, v_proj, out_proj}. */
        public static Names clip(String prefix) {
            return new Names(prefix + ".q_proj", prefix + ".k_proj", prefix + ".v_proj", prefix + ".out_proj");
        }

        /** diffusers' naming: {@code to_q, to_k, to_v, to_out.0}. */
        public static Names diffusers(String prefix) {
            return new Names(prefix + ".to_q", prefix + ".to_k", prefix + ".to_v", prefix + ".to_out.0");
        }
    }

    private final SameDiff sd;
    private final ParamStore params;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear out;
    private final int heads;
    private final boolean causal;

    private MultiHeadAttention(SameDiff sd, ParamStore params, Linear query, Linear key, Linear value, Linear out,
            int heads, boolean causal) {
        if (query.out() % heads != 0 || key.out() != query.out() || value.out() != query.out()) {
            throw new IllegalArgumentException("projections of width q " + query.out() + ", k " + key.out() + ", v "
                    + value.out() + " cannot be split into " + heads + " heads");
        }
        this.sd = sd;
        this.params = params;
        this.query = query;
        this.key = key;
        this.value = value;
        this.out = out;
        this.heads = heads;
        this.causal = causal;
    }

    /**
     * Attention over the given projections (biases optional, as in SD 2's U-Net).
     *
     * @param causal each query position attends only to key positions at or before it (CLIP's text encoder)
     * @param upcast diffusers' {@code upcast_attention}: compute scores in float32; always so for a float32 store,
     *     so it is accepted for config fidelity and rejected only where it would change results (half precision)
     */
    public static MultiHeadAttention of(SameDiff sd, ParamStore params, Names names, int heads, boolean causal,
            boolean upcast) {
        if (upcast && params.dataType().width() < 4) {
            throw new UnsupportedOperationException("upcast attention is not implemented for " + params.dataType());
        }
        return new MultiHeadAttention(sd, params, Linear.of(sd, params, names.query()), Linear.of(sd, params,
                names.key()), Linear.of(sd, params, names.value()), Linear.of(sd, params, names.out()), heads, causal);
    }

    public int heads() {
        return heads;
    }

    public long headDim() {
        return query.out() / heads;
    }

    /** Self-attention: {@code x [batch·len, channels] -> [batch·len, channels]}. */
    public SDVariable apply(SDVariable x, int len) {
        return apply(x, len, x, len);
    }

    /**
     * Cross-attention: queries from {@code x [batch·queryLen, channels]}, keys and values from
     * {@code context [batch·contextLen, contextChannels]}; returns {@code [batch·queryLen, channels]}.
     */
    public SDVariable apply(SDVariable x, int queryLen, SDVariable context, int contextLen) {
        long d = headDim();
        // scale q (as CLIPAttention does) rather than the scores: tokens·headDim multiplies, not tokens²
        SDVariable q = splitHeads(query.apply(x).mul(1.0 / Math.sqrt(d)), queryLen);
        SDVariable k = splitHeads(key.apply(context), contextLen);
        SDVariable v = splitHeads(value.apply(context), contextLen);
        SDVariable scores = sd.mmul(q, k, false, true, false); // [batch, heads, queryLen, contextLen]
        if (causal) {
            scores = scores.add(causalMask(queryLen, contextLen)); // [queryLen, contextLen] broadcasts
        }
        SDVariable mixed = sd.mmul(sd.nn().softmax(scores, -1), v); // [batch, heads, queryLen, headDim]
        // back to token rows: [batch, queryLen, heads, headDim] (a copy, as permuted data is not contiguous),
        // then merge the heads into channels
        SDVariable rows = mixed.permute(0, 2, 1, 3).reshape(-1, heads * d);
        return out.apply(rows);
    }

    /** {@code [batch·len, heads·headDim] -> [batch, heads, len, headDim]}, one matmul batch per (sequence, head). */
    private SDVariable splitHeads(SDVariable rows, int len) {
        return rows.reshape(-1, len, heads, headDim()).permute(0, 2, 1, 3);
    }

    /** 0 where key position ≤ query position, {@link #MASKED} above the diagonal; one array per shape and store. */
    private SDVariable causalMask(int queryLen, int keyLen) {
        DataType type = params.dataType();
        return params.derivedConstant(sd, "causal_mask." + queryLen + "x" + keyLen, () -> {
            INDArray m = Nd4j.zeros(type, queryLen, keyLen);
            for (int i = 0; i < queryLen; i++) {
                for (int j = i + 1; j < keyLen; j++) {
                    m.putScalar(i, j, MASKED);
                }
            }
            return m;
        });
    }
}
