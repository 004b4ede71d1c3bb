package org.sdti.model.embeddings;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.sdti.model.io.DType;

/**
 * A torch storage: the flat elements a tensor views, as read from the archive entry {@code data/<key>}.
 *
 * @param bytes the raw elements in the archive's byte order (position 0, limit = the entry size)
 */
record TorchStorage(String key, DType dtype, long numel, ByteBuffer bytes, ByteOrder order) {
    /** Elements {@code [offset, offset + count)} as a little-endian buffer. */
    ByteBuffer slice(long offset, int count) {
        int size = dtype.size();
        ByteBuffer view = bytes.duplicate();
        view.position(Math.toIntExact(offset * size)).limit(Math.toIntExact((offset + count) * size));
        ByteBuffer out = ByteBuffer.allocate(count * size).order(ByteOrder.LITTLE_ENDIAN);
        if (order == ByteOrder.LITTLE_ENDIAN) {
            out.put(view);
        } else { // byteorder "big": swap every element
            byte[] element = new byte[size];
            while (view.hasRemaining()) {
                view.get(element);
                for (int i = size - 1; i >= 0; i--) out.put(element[i]);
            }
        }
        return out.flip();
    }
}
