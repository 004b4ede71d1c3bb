package org.sdti.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Positioned (ranged) reads through Hadoop's FileSystem, for hdfs:, s3a: and the like. */
final class HadoopRangeReader implements RangeReader {
    private final Path path;
    private final FSDataInputStream in;
    private final long size;

    HadoopRangeReader(FileSystem fs, Path path) throws IOException {
        this.path = fs.makeQualified(path);
        this.size = fs.getFileStatus(path).getLen();
        this.in = fs.open(path);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public synchronized ByteBuffer read(long offset, int length) throws IOException {
        byte[] buf = new byte[length];
        in.readFully(offset, buf, 0, length);
        return ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
