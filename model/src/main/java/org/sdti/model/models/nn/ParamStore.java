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
 * A network's frozen weights as ND4J arrays. Each array is read from the weight file once and cached by name, so
 * every graph built on this store (one per batch size, inference and training) references the same memory.
 * Thread-safe.
 *
 * <p>Arrays must never be modified: graphs hold them as SameDiff constants by reference.
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
    private final ConcurrentMap<String, INDArray> cache = new ConcurrentHashMap<>();
    private final boolean trainable;

    private ParamStore(Map<String, long[]> shapes, TensorReader reader, DataType dataType, Closeable onClose) {
        this(shapes, reader, dataType, onClose, false);
    }

    private ParamStore(Map<String, long[]> shapes, TensorReader reader, DataType dataType, Closeable onClose,
                       boolean trainable) {
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("parameters need a floating-point type, not " + dataType);
        }
        this.shapes = shapes;
        this.reader = reader;
        this.dataType = dataType;
        this.onClose = onClose;
        this.trainable = trainable;
    }

    /** Serves a checked weight file; {@link #close()} closes it. */
    public static ParamStore of(CheckedWeights weights, DataType dataType) {
        return new ParamStore(weights.layout().shapes(), weights::floats, dataType, weights);
    }

    /** Serves any float32 tensors that fit {@code layout} (e.g. seeded random weights for benchmarks). */
    public static ParamStore of(WeightLayout layout, TensorReader reader, DataType dataType) {
        return new ParamStore(layout.shapes(), reader, dataType, () -> { });
    }

    /** Serves in-memory arrays (tests), held by reference when already of {@code dataType}. */
    public static ParamStore of(Map<String, INDArray> arrays, DataType dataType) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        arrays.forEach((name, a) -> shapes.put(name, a.shape()));
        ParamStore store = new ParamStore(shapes, name -> {
            throw new IOException("no array named " + name);
        }, dataType, () -> { });
        arrays.forEach((name, a) -> store.cache.put(name, a.castTo(dataType)));
        return store;
    }

    /**
     * Full-weight training: a store of {@code arrays} (PyTorch layout, held by reference) whose {@link #constant}
     * and {@link #linearWeightConstant} add VARIABLEs instead of constants, so gradients reach every weight.
     * {@link #derivedConstant}s stay constants: blocks that fuse weights for speed fuse them in the graph instead
     * when {@link #isTrainable()}. A Linear weight's variable is its own {@code [in, out]} copy: read trained
     * weights with {@link #trainedFloats}.
     */
    public static ParamStore trainable(Map<String, INDArray> arrays, DataType dataType) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        arrays.forEach((name, a) -> shapes.put(name, a.shape()));
        ParamStore store = new ParamStore(shapes, name -> {
            throw new IOException("no array named " + name);
        }, dataType, () -> { }, true);
        arrays.forEach((name, a) -> store.cache.put(name, a.castTo(dataType)));
        return store;
    }

    public boolean isTrainable() {
        return trainable;
    }

    /**
     * A parameter in PyTorch layout as training left it: a Linear weight's graph variable is its transposed copy
     * ({@link #linearWeightConstant}), which is read back when a graph has made one.
     */
    public float[] trainedFloats(String name) {
        INDArray t = cache.get(name + ".T");
        INDArray a = t != null ? t.transpose() : array(name);
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
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

    /** A parameter in its PyTorch layout (Linear {@code [out, in]}, Conv2d {@code [out, in, kH, kW]}), cached. */
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
     * A Linear weight transposed to {@code [in, out]}, so that {@code x·W} needs no transpose in the graph. Cached
     * apart from {@link #array}; only this copy is kept when only this form is asked for.
     */
    public INDArray linearWeight(String name) {
        return cached(name + ".T", () -> {
            INDArray w = uncached(name);
            if (w.rank() != 2) {
                throw new IllegalArgumentException(name + " is not a Linear weight: " + Arrays.toString(w.shape()));
            }
            return w.transpose().dup('c');
        });
    }

    /** Any array derived once from the weights or shapes (a fused projection, a causal mask), cached by key. */
    public INDArray derived(String key, Supplier<INDArray> make) {
        return cached("derived:" + key, make);
    }

    /** {@link #array(String)} as a constant of {@code sd}, created once per graph under the parameter's name. */
    public SDVariable constant(SameDiff sd, String name) {
        return shared(sd, name, array(name));
    }

    /** What {@link #constant}, {@link #linearWeightConstant} add to graphs: a VARIABLE when trainable. */
    private SDVariable shared(SameDiff sd, String name, INDArray value) {
        return shared(sd, name, value, trainable ? VariableType.VARIABLE : VariableType.CONSTANT);
    }

    /** {@link #linearWeight(String)} as a constant of {@code sd}. */
    public SDVariable linearWeightConstant(SameDiff sd, String name) {
        return shared(sd, name + ".T", linearWeight(name));
    }

    /** {@link #derived} as a constant of {@code sd}, named {@code key}. */
    public SDVariable derivedConstant(SameDiff sd, String key, Supplier<INDArray> make) {
        return shared(sd, key, derived(key, make), VariableType.CONSTANT);
    }

    /**
     * A constant (or variable) holding {@code value} by reference (SameDiff does not copy non-view arrays, and
     * variables go to {@link SharedConstants}, so a trainer's updates reach the graph); reused if present.
     */
    private static SDVariable shared(SameDiff sd, String name, INDArray value, VariableType type) {
        if (sd.hasVariable(name)) {
            SDVariable v = sd.getVariable(name);
            if (v.getVariableType() != type || sd.getArrForVarName(name) != value) {
                throw new IllegalStateException("graph already has a different variable named '" + name + "'");
            }
            return v;
        }
        if (type == VariableType.CONSTANT) {
            return sd.constant(name, value);
        }
        SharedConstants.install(sd);
        return sd.var(name, value);
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

    @Override
    public void close() throws IOException {
        onClose.close();
    }
}
