package org.sdti.model.io;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces one tensor's raw little-endian bytes when the file is written, so a file of any size can be written
 * without holding every tensor in memory at once. It must write exactly the byte count its dtype and shape
 * declare, and it must not close the stream. It may be called more than once if the writer is used more than once.
 */
@FunctionalInterface
public interface TensorSource {
    void writeTo(OutputStream out) throws IOException;
}
