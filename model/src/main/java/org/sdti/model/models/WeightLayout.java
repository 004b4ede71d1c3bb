package org.sdti.model.models;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameter names and shapes a network's config implies, in diffusers/transformers naming. One layout serves
 * three purposes: validating a weight file before any compute, filling a model folder with seeded random weights,
 * and checking every tensor a network asks for.
 */
public final class WeightLayout {
    private final Map<String, long[]> shapes;

    private WeightLayout(Map<String, long[]> shapes) {
        this.shapes = Collections.unmodifiableMap(shapes);
    }

    /** Names in construction order, each with its shape (do not modify the arrays). */
    public Map<String, long[]> shapes() {
        return shapes;
    }

    public boolean contains(String name) {
        return shapes.containsKey(name);
    }

    public long[] shape(String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "' in this layout");
        }
        return s.clone();
    }

    public long parameterCount() {
        long n = 0;
        for (long[] s : shapes.values()) {
            n += Arrays.stream(s).reduce(1, (a, b) -> a * b);
        }
        return n;
    }

    public int size() {
        return shapes.size();
    }

    /** Collects parameters with the PyTorch layouts: Linear {@code [out, in]}, Conv2d {@code [out, in, k, k]}. */
    static final class Builder {
        private final Map<String, long[]> shapes = new LinkedHashMap<>();

        Builder tensor(String name, long... shape) {
            if (shapes.put(name, shape) != null) {
                throw new IllegalStateException("duplicate parameter " + name);
            }
            return this;
        }

        Builder linear(String prefix, long in, long out) {
            tensor(prefix + ".weight", out, in);
            return tensor(prefix + ".bias", out);
        }

        Builder linearNoBias(String prefix, long in, long out) {
            return tensor(prefix + ".weight", out, in);
        }

        Builder conv(String prefix, long in, long out, long kernel) {
            tensor(prefix + ".weight", out, in, kernel, kernel);
            return tensor(prefix + ".bias", out);
        }

        /** GroupNorm or LayerNorm affine parameters. */
        Builder norm(String prefix, long channels) {
            tensor(prefix + ".weight", channels);
            return tensor(prefix + ".bias", channels);
        }

        WeightLayout build() {
            return new WeightLayout(new LinkedHashMap<>(shapes));
        }
    }
}
