package org.sdti.model.embeddings;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.sdti.model.io.DType;
import org.sdti.model.io.DTypes;

/**
 * A tensor rebuilt from a pickle: dtype, shape and its elements, row-major, little-endian.
 */
record TorchTensor(DType dtype, long[] shape, ByteBuffer data) {
    /** Elements in one tensor: any dtype fits a Java array. */
    private static final long MAX_NUMEL = Integer.MAX_VALUE / 8;

    /**
     * What {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} makes, for contiguous
     * tensors (the only kind {@code torch.save} of a fresh parameter produces; strided views are refused).
     */
    static TorchTensor rebuild(TorchStorage storage, long offset, long[] size, long[] stride) throws PickleException {
        if (size.length != stride.length) {
            throw new PickleException("tensor size " + Arrays.toString(size) + " and stride "
                    + Arrays.toString(stride) + " differ in length");
        }
        long numel = 1;
        for (long d : size) {
            if (d < 0) throw new PickleException("tensor size " + Arrays.toString(size) + " has a negative dimension");
            if (d > 0 && numel > MAX_NUMEL / d) {
                throw new PickleException("tensor size " + Arrays.toString(size) + " is too large for an embedding");
            }
            numel *= d;
        }
        // torch's is_contiguous: size-1 dimensions may have any stride
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                throw new PickleException("tensor of size " + Arrays.toString(size) + " has stride "
                        + Arrays.toString(stride) + ", which is not contiguous (expected row-major strides); only "
                        + "contiguous tensors are supported");
            }
            expected *= size[i];
        }
        if (offset < 0 || numel > 0 && offset > storage.numel() - numel) {
            throw new PickleException("tensor of size " + Arrays.toString(size) + " at offset " + offset
                    + " runs past the end of storage '" + storage.key() + "' (" + storage.numel() + " elements)");
        }
        return new TorchTensor(storage.dtype(), size.clone(), storage.slice(numel == 0 ? 0 : offset, (int) numel));
    }

    long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** The elements as float32 (F16, BF16 and F64 converted). */
    float[] floats() {
        if (!dtype.isFloating()) throw new IllegalStateException(dtype + " is not a floating-point dtype");
        return DTypes.toFloats(dtype, data, (int) numel());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return "tensor " + dtype + " " + Arrays.toString(shape);
    }
}
