package org.sdti.model.embeddings;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python values an unpickled torch file can hold, besides those that map onto Java directly ({@code str} →
 * String, {@code int} → Long or BigInteger, {@code float} → Double, {@code bool} → Boolean, {@code None} → null,
 * {@code dict} → LinkedHashMap, {@code list} → ArrayList, {@code set} → LinkedHashSet).
 */
final class Py {
    private Py() {}

    /**
     * An immutable tuple (may hold nulls). Its nesting depth, its size counted through nested tuples and its hash
     * are computed once from its items' (never by walking the tree), so that a hostile pickle's deep or
     * self-sharing tuples cost neither a deep recursion nor exponential work when hashed or compared; the unpickler
     * caps depth and size.
     */
    static final class Tuple {
        static final Tuple EMPTY = new Tuple(List.of());

        private final List<Object> items;
        private final int depth;
        private final long size;
        private final boolean hashable;
        private final int hash;

        Tuple(List<Object> items) {
            this.items = Collections.unmodifiableList(new java.util.ArrayList<>(items));
            int d = 0;
            long n = 1;
            boolean h = true;
            int code = 1;
            for (Object item : this.items) {
                if (item instanceof Tuple t) {
                    d = Math.max(d, t.depth);
                    n = saturatingAdd(n, t.size);
                    h &= t.hashable;
                } else {
                    n = saturatingAdd(n, 1);
                    h &= isHashableLeaf(item);
                }
                code = 31 * code + (h && item != null ? item.hashCode() : 0);
            }
            this.depth = d + 1;
            this.size = n;
            this.hashable = h;
            this.hash = h ? code : 0;
        }

        static Tuple of(Object... items) {
            return new Tuple(Arrays.asList(items));
        }

        List<Object> items() {
            return items;
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }

        /** 1 for a tuple of no tuples. */
        int depth() {
            return depth;
        }

        /** Items counted through nested tuples, as many times as they occur (saturates at Long.MAX_VALUE). */
        long weight() {
            return size;
        }

        /** Python would hash it: no list, dict, set or object inside. */
        boolean hashable() {
            return hashable;
        }

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof Tuple t && t.hash == hash && t.size == size && t.items.equals(items);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "tuple of " + items.size();
        }

        private static long saturatingAdd(long a, long b) {
            long r = a + b;
            return r < 0 ? Long.MAX_VALUE : r;
        }
    }

    /** What Python could use as a dict key or set element. */
    static boolean isHashable(Object v) {
        return v instanceof Tuple t ? t.hashable() : isHashableLeaf(v);
    }

    /** Values Python hashes without looking inside a container. */
    static boolean isHashableLeaf(Object v) {
        return !(v instanceof Map || v instanceof java.util.Collection || v instanceof Instance);
    }

    /** A class or function named by the pickle; only a reference, never resolved to code. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** An object made by NEWOBJ and filled by BUILD: its class and its {@code __dict__}. */
    static final class Instance {
        final Global type;
        final Map<String, Object> state = new LinkedHashMap<>();

        Instance(Global type) {
            this.type = type;
        }
    }

    /** Python's name for the type of a value, for error messages. */
    static String typeName(Object v) {
        if (v == null) return "None";
        if (v instanceof String) return "str";
        if (v instanceof Long || v instanceof java.math.BigInteger) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Map) return "dict";
        if (v instanceof List) return "list";
        if (v instanceof Set) return "set";
        if (v instanceof Tuple) return "tuple";
        if (v instanceof Global g) return "global " + g;
        if (v instanceof Instance i) return i.type.toString();
        if (v instanceof TorchTensor) return "torch.Tensor";
        if (v instanceof TorchStorage) return "torch storage";
        return v.getClass().getSimpleName();
    }
}
