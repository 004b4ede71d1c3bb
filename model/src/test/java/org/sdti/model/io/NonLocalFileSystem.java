package org.sdti.model.io;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code nonlocal:}, so SafeTensorsFile and SafeTensorsWriter take their
 * remote-file-system paths (ranged reads; temp name + rename) on local files. Counts the bytes read, and can be
 * told to fail renames. Register with {@code fs.nonlocal.impl} to reach it through URIs.
 */
public class NonLocalFileSystem extends RawLocalFileSystem {
    public static final URI NAME = URI.create("nonlocal:///");

    final AtomicLong bytesRead = new AtomicLong();
    volatile boolean failRenames;

    static NonLocalFileSystem create() throws IOException {
        NonLocalFileSystem fs = new NonLocalFileSystem();
        fs.initialize(NAME, new Configuration(false));
        return fs;
    }

    @Override
    public URI getUri() {
        return NAME;
    }

    @Override
    public String getScheme() {
        return "nonlocal";
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return new FSDataInputStream(new Counting(super.open(f, bufferSize)));
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        return !failRenames && super.rename(src, dst);
    }

    private final class Counting extends FSInputStream {
        private final FSDataInputStream in;

        Counting(FSDataInputStream in) {
            this.in = in;
        }

        private int count(int n) {
            if (n > 0) bytesRead.addAndGet(n);
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) bytesRead.incrementAndGet();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return count(in.read(b, off, len));
        }

        @Override
        public int read(long position, byte[] buffer, int offset, int length) throws IOException {
            return count(in.read(position, buffer, offset, length));
        }

        @Override
        public void seek(long pos) throws IOException {
            in.seek(pos);
        }

        @Override
        public long getPos() throws IOException {
            return in.getPos();
        }

        @Override
        public boolean seekToNewSource(long targetPos) {
            return false;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
