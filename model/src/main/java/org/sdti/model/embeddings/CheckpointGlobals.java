package org.sdti.model.embeddings;

import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sdti.model.io.DType;

/**
 * The globals a released Stable Diffusion {@code .ckpt} names, on top of an embedding file's: numpy scalars and
 * dtypes ({@code global_step} saved as a numpy int), {@code _codecs.encode} (how protocol 2 pickles their bytes) and
 * PyTorch Lightning's checkpoint callback state, all kept as inert data. Tensors are not read: each becomes a
 * {@link Lazy} naming its archive entry and offset, so a checkpoint of gigabytes costs the heap only its pickle.
 * Any other global is refused by name before anything could be called.
 */
final class CheckpointGlobals implements PickleEnvironment {
    /** A storage entry's place: its key, element type and count, the entry's byte size. */
    interface Entries {
        /** The entry's byte size, or -1 when the archive has no stored {@code data/<key>}. */
        long storedSize(String key);
    }

    /** A tensor of the checkpoint, contiguous, {@code numel} elements from element {@code offset} of its storage. */
    record Lazy(String storage, DType dtype, long[] shape, long offset, long numel) {}

    private record Storage(String key, DType dtype, long numel) {}

    private static final Py.Global REBUILD_TENSOR = new Py.Global("torch._utils", "_rebuild_tensor_v2");
    private static final Py.Global REBUILD_PARAMETER = new Py.Global("torch._utils", "_rebuild_parameter");
    private static final Py.Global NUMPY_SCALAR = new Py.Global("numpy.core.multiarray", "scalar");
    private static final Py.Global NUMPY_DTYPE = new Py.Global("numpy", "dtype");
    private static final Py.Global CODECS_ENCODE = new Py.Global("_codecs", "encode");
    private static final Set<Py.Global> INERT_CLASSES = Set.of(NUMPY_DTYPE,
            new Py.Global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint"));

    static final Set<Py.Global> ALLOWED;

    static {
        Set<Py.Global> all = new LinkedHashSet<>(TorchGlobals.ALLOWED);
        all.addAll(List.of(NUMPY_SCALAR, CODECS_ENCODE));
        all.addAll(INERT_CLASSES);
        ALLOWED = Set.copyOf(all);
    }

    private final Entries entries;
    /** Ordered dicts, sets and instance state: the embedding rules, with no storages to read. */
    private final TorchGlobals plain = new TorchGlobals(new TorchGlobals.Storages() {
        @Override
        public java.nio.ByteBuffer entry(String key) {
            return null;
        }

        @Override
        public ByteOrder order() {
            return ByteOrder.LITTLE_ENDIAN;
        }
    });
    private final Map<String, Storage> loaded = new HashMap<>();

    CheckpointGlobals(Entries entries) {
        this.entries = entries;
    }

    @Override
    public Py.Global global(String module, String name) throws PickleException {
        return TorchGlobals.allowed(module, name, ALLOWED, "a model checkpoint");
    }

    @Override
    public Object persistentLoad(Object pid) throws PickleException {
        TorchGlobals.StorageId id = TorchGlobals.StorageId.parse(pid);
        String key = id.key();
        DType dtype = id.dtype();
        long numel = id.numel();
        Storage known = loaded.get(key);
        if (known != null) {
            if (known.dtype() != dtype) {
                throw new PickleException("storage '" + key + "' is used as both " + known.dtype() + " and " + dtype);
            }
            return known;
        }
        long bytes = entries.storedSize(key);
        if (bytes < 0) {
            throw new PickleException("storage '" + key + "' has no stored data/" + key + " entry in the archive");
        }
        if (numel < 0 || numel > bytes / dtype.size()) {
            throw new PickleException("storage '" + key + "' has " + bytes + " bytes, too few for " + numel + " "
                    + dtype + " elements");
        }
        Storage s = new Storage(key, dtype, numel);
        loaded.put(key, s);
        return s;
    }

    @Override
    public Object reduce(Py.Global callable, Py.Tuple args) throws PickleException {
        if (callable.equals(REBUILD_TENSOR)) {
            return rebuildTensor(args);
        }
        if (callable.equals(REBUILD_PARAMETER)) {
            if (args.size() < 1 || !(args.get(0) instanceof Lazy t)) {
                throw new PickleException("_rebuild_parameter needs a tensor, not " + TorchGlobals.describe(args));
            }
            return t;
        }
        if (callable.equals(CODECS_ENCODE)) {
            // encode(text, 'latin1'): the bytes of a numpy scalar; kept as the text, never interpreted
            if (args.size() != 2 || !(args.get(0) instanceof String s)) {
                throw new PickleException("_codecs.encode arguments " + TorchGlobals.describe(args) + " are not (str, str)");
            }
            return s;
        }
        if (callable.equals(NUMPY_SCALAR) || INERT_CLASSES.contains(callable)) {
            // numpy.dtype('i8', False, True), scalar(dtype, bytes): inert data sdti does not use
            return new Py.Instance(callable);
        }
        return plain.reduce(callable, args);
    }

    private static Lazy rebuildTensor(Py.Tuple args) throws PickleException {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if ((args.size() != 6 && args.size() != 7) || !(args.get(0) instanceof Storage storage)
                || !(args.get(1) instanceof Long offset) || !(args.get(2) instanceof Py.Tuple size)
                || !(args.get(3) instanceof Py.Tuple stride)) {
            throw new PickleException("_rebuild_tensor_v2 arguments " + TorchGlobals.describe(args)
                    + " are not (storage, offset, size, stride, requires_grad, hooks)");
        }
        long[] shape = TorchGlobals.longs(size, "size");
        long[] strides = TorchGlobals.longs(stride, "stride");
        long numel = TorchTensor.checkView(storage.key(), storage.numel(), offset, shape, strides);
        return new Lazy(storage.key(), storage.dtype(), shape, offset, numel);
    }

    @Override
    public Object newObject(Py.Global cls, Py.Tuple args) throws PickleException {
        if (INERT_CLASSES.contains(cls)) {
            return new Py.Instance(cls);
        }
        return plain.newObject(cls, args);
    }

    @Override
    public void build(Object target, Object state) throws PickleException {
        if (target instanceof Py.Instance obj && INERT_CLASSES.contains(obj.type) && !(state instanceof Map)) {
            obj.state.put("__setstate__", state); // numpy.dtype's state is a tuple
            return;
        }
        plain.build(target, state);
    }
}
