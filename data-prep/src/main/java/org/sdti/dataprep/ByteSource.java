package org.sdti.dataprep;

import java.io.IOException;

/** Reads a whole file when asked, from wherever it lives (local disk, any Hadoop file system, a Spark record). */
@FunctionalInterface
public interface ByteSource {
    byte[] read() throws IOException;
}
