package org.sdti.model.embeddings;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.sdti.model.io.DType;

/**
 * The globals a torch-saved embedding may name, and what calling them means: tensors rebuilt from the archive's
 * storages, ordered dicts, sets and {@code ParameterDict} objects as plain values. Anything else is refused by name,
 * so a pickle that asks for {@code os.system} or {@code builtins.eval} fails before anything could be called.
 */
final class TorchGlobals implements PickleEnvironment {
    /** Where storages come from: the archive's {@code data/<key>} entries. */
    interface Storages {
        /** The entry's bytes, or null when there is none. */
        ByteBuffer entry(String key);

        ByteOrder order();
    }

    private static final Py.Global ORDERED_DICT = new Py.Global("collections", "OrderedDict");
    private static final Py.Global REBUILD_TENSOR = new Py.Global("torch._utils", "_rebuild_tensor_v2");
    private static final Py.Global REBUILD_PARAMETER = new Py.Global("torch._utils", "_rebuild_parameter");
    private static final Py.Global PARAMETER_DICT = new Py.Global("torch.nn.modules.container", "ParameterDict");
    private static final Set<Py.Global> SETS = Set.of(new Py.Global("__builtin__", "set"),
            new Py.Global("builtins", "set"));
    private static final Map<Py.Global, DType> STORAGE_TYPES = Map.of(
            new Py.Global("torch", "FloatStorage"), DType.F32,
            new Py.Global("torch", "HalfStorage"), DType.F16,
            new Py.Global("torch", "BFloat16Storage"), DType.BF16,
            new Py.Global("torch", "DoubleStorage"), DType.F64,
            new Py.Global("torch", "LongStorage"), DType.I64);

    static final Set<Py.Global> ALLOWED;

    static {
        Set<Py.Global> all = new LinkedHashSet<>(List.of(ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER,
                PARAMETER_DICT));
        all.addAll(STORAGE_TYPES.keySet());
        all.addAll(SETS);
        ALLOWED = Set.copyOf(all);
    }

    /** Items all {@code set()} calls of one file may copy; an embedding file holds none or a few. */
    static final int MAX_SET_ITEMS = 100_000;

    private final Storages storages;
    private int setItems;
    /** Tensors sharing a storage share one TorchStorage, as torch.load does. */
    private final Map<String, TorchStorage> loaded = new HashMap<>();

    TorchGlobals(Storages storages) {
        this.storages = storages;
    }

    @Override
    public Py.Global global(String module, String name) throws PickleException {
        return allowed(module, name, ALLOWED, "an embedding file");
    }

    /** The global if {@code allowed} lists it, else an error naming it and the list. */
    static Py.Global allowed(String module, String name, Set<Py.Global> allowed, String where)
            throws PickleException {
        Py.Global g = new Py.Global(module, name);
        if (!allowed.contains(g)) {
            throw new PickleException("global " + g + " is not allowed in " + where + " (allowed: "
                    + allowed.stream().map(Py.Global::toString).sorted().collect(Collectors.joining(", ")) + ")");
        }
        return g;
    }

    /** A persistent id as {@code torch.save} writes it: {@code ('storage', <storage type>, key, location, numel)}. */
    record StorageId(String key, DType dtype, long numel) {
        static StorageId parse(Object pid) throws PickleException {
            if (!(pid instanceof Py.Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))
                    || !(t.get(1) instanceof Py.Global type) || !(t.get(2) instanceof String key)
                    || !(t.get(4) instanceof Long numel)) {
                throw new PickleException("persistent id " + describe(pid) + " is not a torch storage reference");
            }
            DType dtype = STORAGE_TYPES.get(type);
            if (dtype == null) {
                throw new PickleException(type + " is not a storage type");
            }
            return new StorageId(key, dtype, numel);
        }
    }

    @Override
    public Object persistentLoad(Object pid) throws PickleException {
        StorageId id = StorageId.parse(pid);
        String key = id.key();
        DType dtype = id.dtype();
        long numel = id.numel();
        TorchStorage known = loaded.get(key);
        if (known != null) {
            if (known.dtype() != dtype) {
                throw new PickleException("storage '" + key + "' is used as both " + known.dtype() + " and " + dtype);
            }
            return known;
        }
        ByteBuffer bytes = storages.entry(key);
        if (bytes == null) {
            throw new PickleException("storage '" + key + "' has no data/" + key + " entry in the archive");
        }
        if (numel < 0 || numel > bytes.remaining() / dtype.size()) {
            throw new PickleException("storage '" + key + "' has " + bytes.remaining() + " bytes, too few for "
                    + numel + " " + dtype + " elements");
        }
        TorchStorage s = new TorchStorage(key, dtype, numel, bytes, storages.order());
        loaded.put(key, s);
        return s;
    }

    @Override
    public Object reduce(Py.Global callable, Py.Tuple args) throws PickleException {
        if (callable.equals(ORDERED_DICT)) {
            if (args.size() != 0) throw new PickleException("OrderedDict is only supported without arguments");
            return new LinkedHashMap<>();
        }
        if (SETS.contains(callable)) {
            if (args.size() == 0) return new LinkedHashSet<>();
            if (args.size() == 1 && args.get(0) instanceof Collection<?> c) return set(c);
            throw new PickleException("set() arguments must be one list, not " + describe(args));
        }
        if (callable.equals(REBUILD_TENSOR)) {
            return rebuildTensor(args);
        }
        if (callable.equals(REBUILD_PARAMETER)) {
            // (data, requires_grad, backward_hooks): a Parameter is its data here
            if (args.size() < 1 || !(args.get(0) instanceof TorchTensor t)) {
                throw new PickleException("_rebuild_parameter needs a tensor, not " + describe(args));
            }
            return t;
        }
        throw new PickleException(callable + " cannot be called");
    }

    /** {@code set(items)}: Python's rule that items be hashable, and a cap on what all sets of a file hold. */
    private Set<Object> set(Collection<?> items) throws PickleException {
        if (items.size() > MAX_SET_ITEMS - setItems) {
            throw new PickleException("sets holding more than " + MAX_SET_ITEMS + " items in all (the cap on set "
                    + "items)");
        }
        setItems += items.size();
        Set<Object> s = new LinkedHashSet<>();
        for (Object item : items) {
            if (!Py.isHashable(item)) throw new PickleException("unhashable set item of type " + Py.typeName(item));
            s.add(item);
        }
        return s;
    }

    private static TorchTensor rebuildTensor(Py.Tuple args) throws PickleException {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        if ((args.size() != 6 && args.size() != 7) || !(args.get(0) instanceof TorchStorage storage)
                || !(args.get(1) instanceof Long offset) || !(args.get(2) instanceof Py.Tuple size)
                || !(args.get(3) instanceof Py.Tuple stride)) {
            throw new PickleException("_rebuild_tensor_v2 arguments " + describe(args)
                    + " are not (storage, offset, size, stride, requires_grad, hooks)");
        }
        return TorchTensor.rebuild(storage, offset, longs(size, "size"), longs(stride, "stride"));
    }

    static long[] longs(Py.Tuple t, String what) throws PickleException {
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.get(i) instanceof Long v)) throw new PickleException("tensor " + what + " " + describe(t)
                    + " is not a tuple of ints");
            out[i] = v;
        }
        return out;
    }

    @Override
    public Object newObject(Py.Global cls, Py.Tuple args) throws PickleException {
        if (!cls.equals(PARAMETER_DICT) || args.size() != 0) {
            throw new PickleException("cannot create a " + cls + " object");
        }
        return new Py.Instance(cls);
    }

    @Override
    public void build(Object target, Object state) throws PickleException {
        if (!(target instanceof Py.Instance obj) || !(state instanceof Map<?, ?> fields)) {
            throw new PickleException("cannot set the state of a " + Py.typeName(target) + " from a "
                    + Py.typeName(state));
        }
        for (Map.Entry<?, ?> e : fields.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new PickleException("object attribute name of type " + Py.typeName(e.getKey()));
            }
            obj.state.put(name, e.getValue());
        }
    }

    /** A short Python-like rendering for error messages. */
    static String describe(Object v) {
        if (v instanceof Py.Tuple t) {
            if (t.depth() > 3 || t.size() > 8) return "a tuple of " + t.size() + " items";
            return t.items().stream().map(TorchGlobals::describe).collect(Collectors.joining(", ", "(",
                    t.size() == 1 ? ",)" : ")"));
        }
        if (v instanceof String s) return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Long || v instanceof Double) return String.valueOf(v);
        return Py.typeName(v);
    }
}
