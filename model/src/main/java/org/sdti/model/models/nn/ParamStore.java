package org.sdti.model.models.nn;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.WeightLayout;

/**
 * A network's weights as ND4J arrays, each converted once and shared by every graph built on this store (one per
 * batch size, inference and training): graphs hold them as SameDiff constants by reference (a constant keeps a
 * reference to a non-view array; it does not copy). Thread-safe. Arrays must never be modified, except through a
 * {@link #trainable()} store's graph variables.
 *
 * <p>Two ways to keep the weights, chosen at creation; block code is the same for both ({@link Linear},
 * {@link Conv2d} and the others ask for {@link #linearWeightConstant}, {@link #convWeightConstant},
 * {@link #constant}):
 * <ul>
 *   <li>{@link #of}: PyTorch's layout, read lazily. A weight's matmul form (Linear {@code [in, out]}) is derived and
 *       cached apart on first use, so only the forms asked for are held (the text encoder, whose embedding tables
 *       are rank-2 but no Linear weights).</li>
 *   <li>{@link #converted}: every tensor read at creation and converted by its rank: conv {@code [o, i, kh, kw]} →
 *       YXIO {@code [kh, kw, i, o]} (SameDiff's conv2d backprop is only correct with YXIO weights), Linear
 *       {@code [o, i]} → {@code [i, o]}, vectors as stored (the U-Net and VAE, where every rank-2 tensor is a
 *       Linear weight). The permutations run on the Java array before the single off-heap copy, so no weight is
 *       ever held twice off-heap, and the weight file may be closed afterwards. Graph names carry the store's
 *       namespace ({@code unet/…}).</li>
 * </ul>
 */
public final class ParamStore implements Closeable {
    /** Where raw float32 tensors (PyTorch layout, row-major) come from. */
    @FunctionalInterface
    public interface TensorReader {
        float[] floats(String name) throws IOException;
    }

    private final Map<String, long[]> shapes;
    private final TensorReader reader;
    private final DataType dataType;
    private final Closeable onClose;
    /** Prefix of graph names ({@code namespace/name}); empty for none. */
    private final String namespace;
    /** Tensors are kept converted by rank ({@link #converted}), not in PyTorch's layout. */
    private final boolean converted;
    private final boolean trainable;
    private final ConcurrentMap<String, INDArray> cache;

    private ParamStore(Map<String, long[]> shapes, TensorReader reader, DataType dataType, Closeable onClose,
                       String namespace, boolean converted, boolean trainable, ConcurrentMap<String, INDArray> cache) {
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("parameters need a floating-point type, not " + dataType);
        }
        this.shapes = shapes;
        this.reader = reader;
        this.dataType = dataType;
        this.onClose = onClose;
        this.namespace = namespace;
        this.converted = converted;
        this.trainable = trainable;
        this.cache = cache;
    }

    private static ParamStore pytorch(Map<String, long[]> shapes, TensorReader reader, DataType dataType,
                                      Closeable onClose) {
        return new ParamStore(shapes, reader, dataType, onClose, "", false, false, new ConcurrentHashMap<>());
    }

    /** Serves a checked weight file in PyTorch layout; {@link #close()} closes it. */
    public static ParamStore of(CheckedWeights weights, DataType dataType) {
        return pytorch(weights.layout().shapes(), weights::floats, dataType, weights);
    }

    /** Serves any float32 tensors that fit {@code layout} (e.g. seeded random weights for benchmarks). */
    public static ParamStore of(WeightLayout layout, TensorReader reader, DataType dataType) {
        return pytorch(layout.shapes(), reader, dataType, () -> { });
    }

    /** Serves in-memory arrays in PyTorch layout, held by reference when already of {@code dataType}. */
    public static ParamStore of(Map<String, INDArray> arrays, DataType dataType) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        arrays.forEach((name, a) -> shapes.put(name, a.shape()));
        ParamStore store = pytorch(shapes, name -> {
            throw new IOException("no array named " + name);
        }, dataType, () -> { });
        arrays.forEach((name, a) -> store.cache.put(name, a.castTo(dataType)));
        return store;
    }

    /** Converts every tensor of {@code weights}' layout now (see the class comment); the file may be closed after. */
    public static ParamStore converted(CheckedWeights weights, String namespace, DataType dataType)
            throws IOException {
        return converted(weights.layout(), weights::floats, namespace, dataType);
    }

    /** Converts every tensor of {@code layout}, read from {@code reader} in PyTorch layout, now. */
    public static ParamStore converted(WeightLayout layout, TensorReader reader, String namespace,
                                       DataType dataType) throws IOException {
        ParamStore store = new ParamStore(layout.shapes(), name -> {
            throw new IOException(name + " was converted when the store was made");
        }, dataType, () -> { }, namespace, true, false, new ConcurrentHashMap<>());
        for (Map.Entry<String, long[]> e : layout.shapes().entrySet()) {
            long[] shape = e.getValue();
            float[] data = reader.floats(e.getKey());
            INDArray a = switch (shape.length) {
                case 4 -> Nd4j.create(yxio(data, shape[0], shape[1], shape[2], shape[3], false), shape[2], shape[3],
                        shape[1], shape[0]);
                case 2 -> Nd4j.create(transpose(data, (int) shape[0], (int) shape[1]), shape[1], shape[0]);
                default -> Nd4j.create(data, shape, 'c');
            };
            store.cache.put(e.getKey(), dataType == DataType.FLOAT ? a : a.castTo(dataType));
        }
        return store;
    }

    /**
     * Full-weight training: the same arrays, but {@link #constant}, {@link #linearWeightConstant} and
     * {@link #convWeightConstant} add VARIABLEs holding them by reference, so gradients reach every weight and an
     * update written into a graph's variable is what the next pass computes with. {@link #derivedConstant}s stay
     * constants: blocks that fuse weights for speed fuse them in the graph instead when {@link #isTrainable()}. In
     * a PyTorch-layout store a Linear weight's variable is its own {@code [in, out]} copy: read trained weights
     * with {@link #pytorchFloats}.
     */
    public ParamStore trainable() {
        return new ParamStore(shapes, reader, dataType, onClose, namespace, converted, true, cache);
    }

    public boolean isTrainable() {
        return trainable;
    }

    /** True if tensors are kept converted by rank ({@link #converted}), false if in PyTorch's layout. */
    public boolean isConverted() {
        return converted;
    }

    /** A parameter in PyTorch layout as it is now (after training, too), as float32. */
    public float[] pytorchFloats(String name) {
        if (converted) {
            INDArray a = array(name);
            long[] s = a.shape();
            float[] data = floats(a);
            return switch (s.length) {
                case 4 -> yxio(data, s[3], s[2], s[0], s[1], true);
                case 2 -> transpose(data, (int) s[0], (int) s[1]);
                default -> data;
            };
        }
        INDArray t = cache.get(name + ".T"); // a trained Linear weight's variable
        return floats(t != null ? t.transpose() : array(name));
    }

    public DataType dataType() {
        return dataType;
    }

    public boolean has(String name) {
        return shapes.containsKey(name);
    }

    /** A parameter's PyTorch shape. */
    public long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return s.clone();
    }

    /** A parameter as the store keeps it (PyTorch layout, or converted by rank), cached. */
    public INDArray array(String name) {
        return cached(name, () -> read(name));
    }

    /**
     * The cached array if there is one, else a fresh read that is not cached: the source for {@link #derived}
     * arrays, so a weight only ever used in a derived form is not kept twice. Do not modify the result.
     */
    public INDArray uncached(String name) {
        INDArray a = cache.get(name);
        return a != null ? a : read(name);
    }

    /**
     * A Linear weight as {@code [in, out]}, so that {@code x·W} needs no transpose in the graph. A PyTorch-layout
     * store caches it apart from {@link #array}; only this copy is kept when only this form is asked for.
     */
    public INDArray linearWeight(String name) {
        if (shape(name).length != 2) {
            throw new IllegalArgumentException(name + " is not a Linear weight: " + Arrays.toString(shape(name)));
        }
        return converted ? array(name) : cached(name + ".T", () -> uncached(name).transpose().dup('c'));
    }

    /** A conv weight as YXIO {@code [kh, kw, in, out]}; a PyTorch-layout store caches it apart from {@link #array}. */
    public INDArray convWeight(String name) {
        if (shape(name).length != 4) {
            throw new IllegalArgumentException(name + " is not a conv weight: " + Arrays.toString(shape(name)));
        }
        return converted ? array(name) : cached(name + ".yxio", () -> uncached(name).permute(2, 3, 1, 0).dup('c'));
    }

    /** Any array derived once from the weights or shapes (a fused projection, a causal mask), cached by key. */
    public INDArray derived(String key, Supplier<INDArray> make) {
        return cached("derived:" + key, make);
    }

    /** {@link #array(String)} as a constant of {@code sd}, created once per graph under the parameter's name. */
    public SDVariable constant(SameDiff sd, String name) {
        return shared(sd, id(name), array(name));
    }

    /**
     * A vector reshaped (e.g. γ {@code [C]} to {@code [1, C, 1, 1]} to broadcast over NCHW), as a constant of its
     * own: a reshape op in the graph would run on every pass. Trainable stores reshape in the graph, so that the
     * variable itself receives the gradient.
     */
    public SDVariable constant(SameDiff sd, String name, long... shape) {
        if (trainable) {
            return sd.reshape(constant(sd, name), shape);
        }
        return derivedConstant(sd, name + Arrays.toString(shape), () -> array(name).reshape(shape).dup());
    }

    /** {@link #linearWeight(String)} as a constant of {@code sd}. */
    public SDVariable linearWeightConstant(SameDiff sd, String name) {
        return shared(sd, id(converted ? name : name + ".T"), linearWeight(name));
    }

    /** {@link #convWeight(String)} as a constant of {@code sd}. */
    public SDVariable convWeightConstant(SameDiff sd, String name) {
        return shared(sd, id(converted ? name : name + ".yxio"), convWeight(name));
    }

    /** {@link #derived} as a constant of {@code sd}, named {@code key} (in the store's namespace). */
    public SDVariable derivedConstant(SameDiff sd, String key, Supplier<INDArray> make) {
        return shared(sd, id(key), derived(key, make), VariableType.CONSTANT);
    }

    /** The graph name of a parameter or derived array: {@code namespace/name}, or the name without a namespace. */
    private String id(String name) {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** What {@link #constant} and the weight forms add to graphs: a VARIABLE when trainable. */
    private SDVariable shared(SameDiff sd, String id, INDArray value) {
        return shared(sd, id, value, trainable ? VariableType.VARIABLE : VariableType.CONSTANT);
    }

    /**
     * A constant (or variable) holding {@code value} by reference, in {@link SharedConstants} (SameDiff's default
     * holder would copy it, and a trainer's updates must reach the graph); reused if present.
     */
    private static SDVariable shared(SameDiff sd, String id, INDArray value, VariableType type) {
        if (sd.hasVariable(id)) {
            SDVariable v = sd.getVariable(id);
            if (v.getVariableType() != type || sd.getArrForVarName(id) != value) {
                throw new IllegalStateException("graph already has a different variable named '" + id + "'");
            }
            return v;
        }
        SharedConstants.install(sd);
        return type == VariableType.CONSTANT ? sd.constant(id, value) : sd.var(id, value);
    }

    /**
     * Not computeIfAbsent: a derived array may itself ask for a parameter, and ConcurrentHashMap forbids nested
     * updates. Two threads racing on one key may both compute it; the first stored copy wins.
     */
    private INDArray cached(String key, Supplier<INDArray> make) {
        INDArray a = cache.get(key);
        if (a != null) {
            return a;
        }
        INDArray made = make.get();
        INDArray prev = cache.putIfAbsent(key, made);
        return prev != null ? prev : made;
    }

    private INDArray read(String name) {
        long[] shape = shape(name);
        float[] data;
        try {
            data = reader.floats(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read parameter '" + name + "'", e);
        }
        INDArray a = Nd4j.create(data, shape, 'c');
        return dataType == DataType.FLOAT ? a : a.castTo(dataType);
    }

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
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

    /** PyTorch's conv {@code [o, i, kh, kw]} to YXIO {@code [kh, kw, i, o]}, or back when {@code back}. */
    private static float[] yxio(float[] a, long o, long in, long kh, long kw, boolean back) {
        float[] t = new float[a.length];
        for (int oo = 0; oo < o; oo++) {
            for (int ii = 0; ii < in; ii++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        int pytorch = (int) (((oo * in + ii) * kh + y) * kw + x);
                        int converted = (int) (((y * kw + x) * in + ii) * o + oo);
                        if (back) {
                            t[pytorch] = a[converted];
                        } else {
                            t[converted] = a[pytorch];
                        }
                    }
                }
            }
        }
        return t;
    }

    @Override
    public void close() throws IOException {
        onClose.close();
    }
}
