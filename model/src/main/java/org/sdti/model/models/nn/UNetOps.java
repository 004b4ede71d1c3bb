package org.sdti.model.models.nn;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.WeightLayout;

/**
 * The few generic pieces the U-Net and VAE need beyond their own blocks: a frozen parameter store and
 * linear / LayerNorm / exact GELU / GEGLU / multi-head attention as SameDiff sub-graphs.
 *
 * <p>TODO(merge): the text-encoder work brings a shared parameter store, linear, LayerNorm, GELU and attention to
 * this package; once it lands, replace these with the shared blocks (same conventions: frozen weights are SameDiff
 * constants, converted once per name and shared by every graph, Linear weights stored transposed {@code [in, out]}).
 *
 * <p>Token tensors are kept flat, {@code [B·N, C]}: linear and norm layers then are plain rank-2 ops, and only the
 * attention core reshapes to {@code [B, heads, N, d]}. Every reshape leaves the batch as {@code -1}, so one graph
 * serves any batch size.
 */
public final class UNetOps {
    private UNetOps() {}

    /**
     * The frozen weights of one network, converted once to ND4J arrays in the layout the ops want and shared by
     * every graph built from them (a SameDiff constant keeps a reference to a non-view array; it does not copy).
     *
     * <p>Layouts, decided by the rank of the PyTorch tensor: conv {@code [o, i, kh, kw]} → YXIO {@code [kh, kw, i, o]}
     * (SameDiff's conv2d backprop is only correct with YXIO weights); Linear {@code [o, i]} → {@code [i, o]} so that
     * {@code x.mmul(w)}; vectors as stored. The permutations are done on the Java array before the single
     * off-heap copy, so no weight is ever held twice off-heap.
     */
    public static final class Params {
        private final String namespace;
        private final Map<String, INDArray> arrays;
        private final boolean trainable;

        private Params(String namespace, Map<String, INDArray> arrays, boolean trainable) {
            this.namespace = namespace;
            this.arrays = Collections.unmodifiableMap(arrays);
            this.trainable = trainable;
        }

        /** Where PyTorch-layout float32 data comes from, by parameter name ({@code CheckedWeights::floats}). */
        @FunctionalInterface
        public interface Source {
            float[] floats(String name) throws IOException;
        }

        /** Converts every tensor of {@code weights}' layout; the weight file may be closed afterwards. */
        public static Params load(CheckedWeights weights, String namespace, DataType dtype) throws IOException {
            return load(weights.layout(), weights::floats, namespace, dtype);
        }

        /** Converts every tensor of {@code layout}, read from {@code source} in PyTorch layout. */
        public static Params load(WeightLayout layout, Source source, String namespace, DataType dtype)
                throws IOException {
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : layout.shapes().entrySet()) {
                long[] shape = e.getValue();
                float[] data = source.floats(e.getKey());
                INDArray a = switch (shape.length) {
                    case 4 -> Nd4j.create(toYxio(data, shape), shape[2], shape[3], shape[1], shape[0]);
                    case 2 -> Nd4j.create(transpose(data, (int) shape[0], (int) shape[1]), shape[1], shape[0]);
                    default -> Nd4j.create(data, shape, 'c');
                };
                out.put(e.getKey(), dtype == DataType.FLOAT ? a : a.castTo(dtype));
            }
            return new Params(namespace, out, false);
        }

        /**
         * The same arrays as VARIABLEs (full-weight training): {@link #get} adds each as a variable holding this
         * store's array by reference, so an update written into {@link #array} is what the next pass computes with,
         * and gradients reach every weight. Graph code is the same for both forms.
         */
        public Params trainable() {
            return new Params(namespace, arrays, true);
        }

        public boolean isTrainable() {
            return trainable;
        }

        /** Parameter names in layout order. */
        public java.util.Set<String> names() {
            return arrays.keySet();
        }

        /** The graph variable (or constant) name of a parameter: {@code namespace/name}. */
        public String id(String name) {
            return namespace + "/" + name;
        }

        /** A parameter back in its PyTorch layout (the inverse of {@link #load}'s conversion), as float32. */
        public float[] pytorchFloats(String name) {
            INDArray a = array(name);
            long[] s = a.shape();
            float[] data = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            return switch (s.length) {
                case 4 -> fromYxio(data, s);
                case 2 -> transpose(data, (int) s[0], (int) s[1]);
                default -> data;
            };
        }

        public DataType dataType() {
            return arrays.values().iterator().next().dataType();
        }

        /** The converted array (see the class comment for its layout). */
        public INDArray array(String name) {
            INDArray a = arrays.get(name);
            if (a == null) {
                throw new IllegalArgumentException("no parameter named '" + name + "'");
            }
            return a;
        }

        public boolean has(String name) {
            return arrays.containsKey(name);
        }

        /** The parameter as a constant of {@code sd}, named {@code namespace/name}; created once per graph. */
        public SDVariable get(SameDiff sd, String name) {
            String id = id(name);
            if (sd.hasVariable(id)) {
                return sd.getVariable(id);
            }
            SharedConstants.install(sd);
            return trainable ? sd.var(id, array(name)) : sd.constant(id, array(name));
        }

        /**
         * The parameter reshaped (e.g. γ {@code [C]} to {@code [1, C, 1, 1]} to broadcast over NCHW), as its own
         * constant: a reshape op in the graph would run on every pass.
         */
        public SDVariable get(SameDiff sd, String name, long... shape) {
            if (trainable) {
                return sd.reshape(get(sd, name), shape); // the variable itself must receive the gradient
            }
            String id = namespace + "/" + name + java.util.Arrays.toString(shape);
            if (sd.hasVariable(id)) {
                return sd.getVariable(id);
            }
            SharedConstants.install(sd);
            return sd.constant(id, array(name).reshape(shape).dup()); // a small vector; dup: views are not held
        }

        /** Bytes held off-heap by the converted weights. */
        public long bytes() {
            return arrays.values().stream().mapToLong(a -> a.length() * a.dataType().width()).sum();
        }

        private static float[] transpose(float[] a, int rows, int cols) {
            float[] t = new float[a.length];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    t[c * rows + r] = a[r * cols + c];
                }
            }
            return t;
        }

        /** YXIO {@code [kh, kw, i, o]} back to PyTorch's {@code [o, i, kh, kw]}. */
        private static float[] fromYxio(float[] a, long[] yxio) {
            int kh = (int) yxio[0];
            int kw = (int) yxio[1];
            int in = (int) yxio[2];
            int o = (int) yxio[3];
            float[] t = new float[a.length];
            for (int oo = 0; oo < o; oo++) {
                for (int ii = 0; ii < in; ii++) {
                    for (int y = 0; y < kh; y++) {
                        for (int x = 0; x < kw; x++) {
                            t[((oo * in + ii) * kh + y) * kw + x] = a[((y * kw + x) * in + ii) * o + oo];
                        }
                    }
                }
            }
            return t;
        }

        private static float[] toYxio(float[] a, long[] oiyx) {
            int o = (int) oiyx[0];
            int in = (int) oiyx[1];
            int kh = (int) oiyx[2];
            int kw = (int) oiyx[3];
            float[] t = new float[a.length];
            for (int oo = 0; oo < o; oo++) {
                for (int ii = 0; ii < in; ii++) {
                    for (int y = 0; y < kh; y++) {
                        for (int x = 0; x < kw; x++) {
                            t[((y * kw + x) * in + ii) * o + oo] = a[((oo * in + ii) * kh + y) * kw + x];
                        }
                    }
                }
            }
            return t;
        }
    }

    /** {@code x [M, in] · W + b}; the bias is optional in the weights. */
    public static SDVariable linear(SameDiff sd, Params p, String prefix, SDVariable x) {
        SDVariable y = x.mmul(p.get(sd, prefix + ".weight"));
        return p.has(prefix + ".bias") ? y.add(p.get(sd, prefix + ".bias")) : y;
    }

    /** LayerNorm over the last axis of {@code x [M, C]} ({@link LayerNorm#standardizeRows}, then γ, β). */
    public static SDVariable layerNorm(SameDiff sd, Params p, String prefix, SDVariable x, double eps) {
        return LayerNorm.standardizeRows(sd, x, p.array(prefix + ".weight").length(), eps).mul(p.get(sd, prefix + ".weight")).add(p.get(sd, prefix + ".bias"));
    }

    /** Exact (erf) GELU; SameDiff's gelu is the sigmoid approximation. */
    public static SDVariable geluExact(SameDiff sd, SDVariable x) {
        return x.mul(sd.math().erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0)).mul(0.5);
    }

    /** diffusers' GEGLU feed-forward: {@code proj} to 2·inner, {@code a · gelu(gate)}, then {@code net.2} back. */
    public static SDVariable gegluFeedForward(SameDiff sd, Params p, String prefix, SDVariable x) {
        SDVariable h = linear(sd, p, prefix + ".net.0.proj", x);
        SDVariable[] parts = sd.split(h, 2, 1);
        return linear(sd, p, prefix + ".net.2", parts[0].mul(geluExact(sd, parts[1])));
    }

    /**
     * diffusers' {@code Attention} without normalisation: {@code to_q} from {@code x [B·N, C]}, {@code to_k/to_v}
     * from {@code context [B·T, D]}, softmax(q·kᵀ/√d)·v per head as batched rank-4 matmuls, then {@code to_out.0}.
     * The scale is applied to q (N·d elements) instead of the scores (N·T). All arithmetic stays in the graph's
     * dtype, which is what {@code upcast_attention}/{@code upcast_softmax} ask for under float32.
     *
     * <p>Not libnd4j's fused {@code dot_product_attention}: it gives the same numbers and keeps no N×T arrays for
     * backprop, but at SD 2 full size its forward is 2× and its backprop ~10× slower than these matmuls (70 of 121 s
     * of a training step). The price here is memory: a training pass keeps scores and probabilities, 2 × 335 MB per
     * 4096-token self-attention and batch item.
     */
    public static SDVariable attention(SameDiff sd, Params p, String prefix, SDVariable x, long n,
                                       SDVariable context, long t, int heads, int channels) {
        int d = channels / heads;
        SDVariable q = splitHeads(sd, linear(sd, p, prefix + ".to_q", x).mul(1.0 / Math.sqrt(d)), n, heads, d);
        SDVariable k = splitHeads(sd, linear(sd, p, prefix + ".to_k", context), t, heads, d);
        SDVariable v = splitHeads(sd, linear(sd, p, prefix + ".to_v", context), t, heads, d);
        SDVariable probs = sd.nn().softmax(sd.mmul(q, k, false, true, false), 3);
        SDVariable o = sd.permute(sd.mmul(probs, v), 0, 2, 1, 3);
        return linear(sd, p, prefix + ".to_out.0", sd.reshape(o, -1, channels));
    }

    /** {@code [B, C, H, W]} → tokens {@code [B·H·W, C]} (row-major over H, W, as diffusers flattens). */
    public static SDVariable toTokens(SameDiff sd, SDVariable x, long c, long h, long w) {
        return sd.reshape(sd.permute(sd.reshape(x, -1, c, h * w), 0, 2, 1), -1, c);
    }

    /** Tokens {@code [B·H·W, C]} → {@code [B, C, H, W]}. */
    public static SDVariable fromTokens(SameDiff sd, SDVariable t, long c, long h, long w) {
        return sd.reshape(sd.permute(sd.reshape(t, -1, h * w, c), 0, 2, 1), -1, c, h, w);
    }

    /** {@code [B·N, h·d]} → {@code [B, h, N, d]}. */
    private static SDVariable splitHeads(SameDiff sd, SDVariable x, long n, int heads, int d) {
        return sd.permute(sd.reshape(x, -1, n, heads, d), 0, 2, 1, 3);
    }
}
