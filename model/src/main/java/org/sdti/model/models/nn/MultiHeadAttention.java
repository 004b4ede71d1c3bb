package org.sdti.model.models.nn;

import java.util.List;
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
 * rows back into sequences. Scores are {@code softmax(q·kᵀ/√headDim [+ causal mask])}, batched over
 * {@code [batch, heads, tokens, headDim]} with rank-4 matmuls.
 *
 * <p>On a store in PyTorch layout ({@link ParamStore#of}, the text encoder), projections that read the same input
 * run as one matmul over weights concatenated once per store (q|k|v for self-attention, k|v for cross-attention):
 * fewer graph ops and larger GEMMs, and the fused copy is the only one held, since the separate weights are never
 * cached. The softmax scale is folded into the query weights (as CLIPAttention scales q, not the scores); for
 * power-of-two head dims (64 in SD 2, 4 in the tiny fixture) this is bit-identical to scaling after the projection.
 * On a {@link ParamStore#converted} store (U-Net, VAE), which already holds every projection in matmul layout, a
 * fused copy would hold those weights twice: each projection is its own {@link Linear} there, and q is scaled
 * after it.
 *
 * <p>Not libnd4j's fused {@code dot_product_attention}: it gives the same numbers and keeps no N×T arrays for
 * backprop, but at SD 2 full size its forward is 2× and its backprop ~10× slower than these matmuls (70 of 121 s
 * of a training step). The price here is memory: a training pass keeps scores and probabilities, 2 × 335 MB per
 * 4096-token self-attention and batch item.
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
    private final Names names;
    private final int heads;
    private final long inner;
    private final long headDim;
    private final boolean causal;

    private MultiHeadAttention(SameDiff sd, ParamStore params, Names names, int heads, boolean causal) {
        this.sd = sd;
        this.params = params;
        this.names = names;
        this.heads = heads;
        this.causal = causal;
        this.inner = params.shape(names.query() + ".weight")[0];
        long k = params.shape(names.key() + ".weight")[0];
        long v = params.shape(names.value() + ".weight")[0];
        if (inner % heads != 0 || k != inner || v != inner) {
            throw new IllegalArgumentException(names.query() + ": projections of width q " + inner + ", k " + k
                    + ", v " + v + " cannot be split into " + heads + " heads");
        }
        this.headDim = inner / heads;
    }

    /**
     * Attention over the given projections (biases optional, as in SD 2's U-Net). Constants are added to
     * {@code sd} only when {@code apply} needs them.
     *
     * @param causal each query position attends only to key positions at or before it (CLIP's text encoder)
     * @param upcast diffusers' {@code upcast_attention}: compute scores in float32, which a float32 or float64
     *     store always does; accepted for config fidelity, refused for half precision where it would matter
     */
    public static MultiHeadAttention of(SameDiff sd, ParamStore params, Names names, int heads, boolean causal,
            boolean upcast) {
        if (upcast && params.dataType().width() < 4) {
            throw new UnsupportedOperationException("upcast attention is not implemented for " + params.dataType());
        }
        return new MultiHeadAttention(sd, params, names, heads, causal);
    }

    public int heads() {
        return heads;
    }

    public long headDim() {
        return headDim;
    }

    /** Self-attention: {@code x [batch·len, channels] -> [batch·len, channels]}. */
    public SDVariable apply(SDVariable x, int len) {
        SDVariable[] qkv = heads(x, len, names.query(), names.key(), names.value());
        return attend(qkv[0], qkv[1], qkv[2], len, len);
    }

    /**
     * Cross-attention: queries from {@code x [batch·queryLen, channels]}, keys and values from
     * {@code context [batch·contextLen, contextChannels]}; returns {@code [batch·queryLen, channels]}.
     */
    public SDVariable apply(SDVariable x, int queryLen, SDVariable context, int contextLen) {
        SDVariable q = heads(x, queryLen, names.query())[0];
        SDVariable[] kv = heads(context, contextLen, names.key(), names.value());
        return attend(q, kv[0], kv[1], queryLen, contextLen);
    }

    private SDVariable attend(SDVariable q, SDVariable k, SDVariable v, int queryLen, int keyLen) {
        SDVariable scores = sd.mmul(q, k, false, true, false); // [batch, heads, queryLen, keyLen], already scaled
        if (causal) {
            scores = scores.add(causalMask(queryLen, keyLen)); // [queryLen, keyLen] broadcasts
        }
        SDVariable mixed = sd.mmul(sd.nn().softmax(scores, 3), v); // [batch, heads, queryLen, headDim]
        // back to token rows: [batch, queryLen, heads, headDim] (a copy: permuted data is not contiguous), then
        // the heads merge into channels
        SDVariable rows = mixed.permute(0, 2, 1, 3).reshape(-1, inner);
        return Linear.of(sd, params, names.out()).apply(rows);
    }

    /** The given projections of {@code x [batch·len, channels]}, each as {@code [batch, heads, len, headDim]}. */
    private SDVariable[] heads(SDVariable x, int len, String... prefixes) {
        if (!params.isConverted()) {
            return splitHeads(project(x, prefixes), len, prefixes.length);
        }
        SDVariable[] out = new SDVariable[prefixes.length];
        for (int i = 0; i < prefixes.length; i++) {
            SDVariable y = Linear.of(sd, params, prefixes[i]).apply(x);
            out[i] = splitHeads(prefixes[i].equals(names.query()) ? y.mul(scale()) : y, len, 1)[0];
        }
        return out;
    }

    /**
     * {@code [batch·len, parts·heads·headDim]} (projections side by side) to {@code parts} arrays
     * {@code [batch, heads, len, headDim]}, one matmul batch per (sequence, head).
     */
    private SDVariable[] splitHeads(SDVariable rows, int len, int parts) {
        if (parts == 1) {
            return new SDVariable[] {rows.reshape(-1, len, heads, headDim).permute(0, 2, 1, 3)};
        }
        // column blocks first (split copies them out), then each to [batch, heads, len, headDim]: unstacking one
        // permuted [parts, batch, heads, len, headDim] array instead hands matmul strided views, which it multiplies
        // on a slow path (the midsize text encoder's attention took 60 ms of matmul for 0.2 GFLOP)
        SDVariable[] blocks = sd.split(rows, parts, 1);
        SDVariable[] out = new SDVariable[parts];
        for (int i = 0; i < parts; i++) {
            out[i] = blocks[i].reshape(-1, len, heads, headDim).permute(0, 2, 1, 3);
        }
        return out;
    }

    /** One matmul for the given projections of the same input; the query's, if among them, carries the scale. */
    private SDVariable project(SDVariable x, String... prefixes) {
        if (params.isTrainable()) {
            return trainableProjection(x, prefixes);
        }
        String key = String.join("+", prefixes) + (prefixes[0].equals(names.query()) ? "*scale" : "");
        SDVariable w = params.derivedConstant(sd, key + ".weight", () -> fusedWeight(prefixes));
        boolean anyBias = List.of(prefixes).stream().anyMatch(p -> params.has(p + ".bias"));
        if (!anyBias) {
            return x.mmul(w);
        }
        SDVariable b = params.derivedConstant(sd, key + ".bias", () -> fusedBias(prefixes));
        return x.mmul(w).add(b); // not xw_plus_b: see Linear#apply
    }

    /**
     * {@link #project} on trainable weights: the same fused matmul, its weight concatenated in the graph from each
     * projection's own variable (so each gets its gradient), the scale a graph multiply on the query's.
     */
    private SDVariable trainableProjection(SDVariable x, String... prefixes) {
        SDVariable[] weights = new SDVariable[prefixes.length];
        SDVariable[] biases = new SDVariable[prefixes.length];
        boolean anyBias = false;
        for (int i = 0; i < prefixes.length; i++) {
            Linear l = Linear.of(sd, params, prefixes[i]);
            boolean query = prefixes[i].equals(names.query());
            weights[i] = query ? l.weight().mul(scale()) : l.weight();
            SDVariable b = l.bias() != null ? l.bias() : sd.constant(Nd4j.zeros(params.dataType(), inner));
            biases[i] = query ? b.mul(scale()) : b;
            anyBias |= l.bias() != null;
        }
        SDVariable w = prefixes.length == 1 ? weights[0] : sd.concat(1, weights);
        if (!anyBias) {
            return x.mmul(w);
        }
        return x.mmul(w).add(prefixes.length == 1 ? biases[0] : sd.concat(0, biases));
    }

    /** {@code [in, Σ out]}: the transposed PyTorch weights side by side. */
    private INDArray fusedWeight(String... prefixes) {
        INDArray[] parts = new INDArray[prefixes.length];
        for (int i = 0; i < prefixes.length; i++) {
            INDArray t = params.uncached(prefixes[i] + ".weight").transpose();
            parts[i] = prefixes[i].equals(names.query()) ? t.mul(scale()) : t;
        }
        return Nd4j.hstack(parts).dup('c');
    }

    /** {@code [Σ out]}; a projection without a bias contributes zeros. */
    private INDArray fusedBias(String... prefixes) {
        INDArray[] parts = new INDArray[prefixes.length];
        for (int i = 0; i < prefixes.length; i++) {
            String name = prefixes[i] + ".bias";
            INDArray b = params.has(name) ? params.uncached(name).reshape(1, -1)
                    : Nd4j.zeros(params.dataType(), 1, inner);
            parts[i] = prefixes[i].equals(names.query()) ? b.mul(scale()) : b;
        }
        return Nd4j.hstack(parts).reshape(-1).dup('c');
    }

    private double scale() {
        return 1.0 / Math.sqrt(headDim);
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
