package org.sdti.model.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Random access to the bytes of one file: memory-mapped locally, positioned reads on other file systems. */
interface RangeReader extends Closeable {
    long size();

    /** Returns {@code length} bytes from {@code offset}, little-endian, position 0. */
    ByteBuffer read(long offset, int length) throws IOException;

    String describe();
}
