package org.sdti.model.models;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdti.model.io.DType;
import org.sdti.model.io.TensorInfo;
import org.sdti.model.io.WeightFile;

/**
 * A weight file checked against the layout its config implies: every parameter is present, floating-point, with
 * the right shape,
 * or opening fails with one message that names the file and every missing or mis-shaped tensor, before any
 * compute. Tensors are then read lazily, by their diffusers names.
 *
 * <p>Accepted spellings beyond the diffusers names: the legacy VAE attention names of the published SD 2.1 file
 * ({@code query/key/value/proj_attn}) and 1×1-conv shapes {@code [o, i, 1, 1]} where a Linear {@code [o, i]}
 * is expected (older VAE files).
 */
public final class CheckedWeights implements Closeable {
    private static final Map<String, String> LEGACY_ATTENTION = Map.of(
            ".to_q.", ".query.", ".to_k.", ".key.", ".to_v.", ".value.", ".to_out.0.", ".proj_attn.");

    private final WeightFile file;
    private final WeightLayout layout;
    private final Map<String, String> storedName;
    private final Map<String, DType> dtypes;
    private final ParameterDigests digests = new ParameterDigests();

    private CheckedWeights(WeightFile file, WeightLayout layout, Map<String, String> storedName,
                           Map<String, DType> dtypes) {
        this.file = file;
        this.layout = layout;
        this.storedName = storedName;
        this.dtypes = dtypes;
    }

    /** Checks {@code file} against {@code layout}; on failure the file is closed and the error lists every problem. */
    public static CheckedWeights check(WeightFile file, WeightLayout layout) throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, String> stored = new LinkedHashMap<>();
        Map<String, DType> dtypes = new HashMap<>();
        for (Map.Entry<String, long[]> e : layout.shapes().entrySet()) {
            String name = e.getKey();
            String found = find(file, name);
            if (found == null) {
                problems.add("missing tensor '" + file.storedName(name) + "' " + Arrays.toString(e.getValue()));
                continue;
            }
            TensorInfo t = file.info(found);
            if (!shapeFits(t.shape(), e.getValue())) {
                problems.add("tensor '" + t.name() + "' has shape " + t.shapeString() + " but the config implies "
                        + Arrays.toString(e.getValue()));
                continue;
            }
            if (!t.dtype().isFloating()) {
                // integers would be read as numbers and run: a network of nonsense with exit 0
                problems.add("tensor '" + found + "' is " + t.dtype() + ", not a floating-point tensor");
                continue;
            }
            stored.put(name, found);
            dtypes.put(name, t.dtype());
        }
        if (!problems.isEmpty()) {
            file.close();
            int shown = Math.min(problems.size(), 20);
            String more = problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : "";
            throw new WeightsException(file.source() + ": " + problems.size() + " tensor(s) do not fit the config: "
                    + String.join("; ", problems.subList(0, shown)) + more);
        }
        return new CheckedWeights(file, layout, stored, dtypes);
    }

    private static String find(WeightFile file, String name) {
        if (file.contains(name)) {
            return name;
        }
        for (Map.Entry<String, String> e : LEGACY_ATTENTION.entrySet()) {
            if (name.contains(".attentions.") && name.contains(e.getKey())) {
                String legacy = name.replace(e.getKey(), e.getValue());
                if (file.contains(legacy)) {
                    return legacy;
                }
            }
        }
        return null;
    }

    private static boolean shapeFits(long[] actual, long[] expected) {
        if (Arrays.equals(actual, expected)) {
            return true;
        }
        // a 1x1 conv stored where a Linear is expected
        return expected.length == 2 && actual.length == 4 && actual[0] == expected[0] && actual[1] == expected[1]
                && actual[2] == 1 && actual[3] == 1;
    }

    public String source() {
        return file.source();
    }

    public WeightLayout layout() {
        return layout;
    }

    /** The layout shape of a parameter. */
    public long[] shape(String name) {
        return layout.shape(name);
    }

    /** A parameter as float32, row-major, in its layout shape; its digest is recorded on the way. */
    public float[] floats(String name) throws IOException {
        String stored = storedName.get(name);
        if (stored == null) {
            throw new WeightsException(file.source() + ": the layout has no parameter '" + name + "'");
        }
        float[] values = file.floats(stored);
        digests.record(name, dtypes.get(name), layout.shape(name), values);
        return values;
    }

    /**
     * The SHA-256 of these weights by content ({@link ParameterDigests}: the same weights in a folder or a single
     * file give the same digest). Parameters the network has read are not read again; the rest are read now.
     */
    public String contentSha256() throws IOException {
        List<String> names = new ArrayList<>(layout.shapes().keySet());
        Collections.sort(names);
        for (String name : names) {
            if (!digests.has(name)) {
                floats(name);
            }
        }
        return digests.combine(names);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
