package org.sdti.model.io;

import java.io.Closeable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Random access to the bytes of one file: memory-mapped locally, positioned reads on other file systems. */
public interface RangeReader extends Closeable {
    /** Opens a file on any Hadoop file system: local files are memory-mapped per read, others read by range. */
    static RangeReader open(FileSystem fs, org.apache.hadoop.fs.Path file) throws IOException {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        if ("file".equals(raw.getUri().getScheme())) {
            return new MappedRangeReader(java.nio.file.Path.of(raw.makeQualified(file).toUri()));
        }
        return new HadoopRangeReader(fs, file);
    }

    long size();

    /** Returns {@code length} bytes from {@code offset}, little-endian, position 0. */
    ByteBuffer read(long offset, int length) throws IOException;

    String describe();
}
