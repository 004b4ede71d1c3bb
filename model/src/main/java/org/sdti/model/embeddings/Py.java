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

    /** An immutable tuple (may hold nulls). */
    record Tuple(List<Object> items) {
        static final Tuple EMPTY = new Tuple(List.of());

        static Tuple of(Object... items) {
            return new Tuple(Collections.unmodifiableList(Arrays.asList(items.clone())));
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }
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
