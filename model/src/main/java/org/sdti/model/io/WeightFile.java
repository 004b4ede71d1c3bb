package org.sdti.model.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * Named float tensors read lazily: a safetensors file, or one component's view of a single-file checkpoint under
 * diffusers names. {@code CheckedWeights} checks one against a network's layout.
 */
public interface WeightFile extends Closeable {
    /** Names the file (and the component, for a view) in errors. */
    String source();

    boolean contains(String name);

    /** The tensor's dtype and shape; its name is the key as stored, which errors name. */
    TensorInfo info(String name) throws IOException;

    /** The tensor converted to float32, row-major. */
    float[] floats(String name) throws IOException;

    /** The key a tensor is stored under, for naming a missing one (a view maps diffusers names to its own). */
    default String storedName(String name) {
        return name;
    }
}
