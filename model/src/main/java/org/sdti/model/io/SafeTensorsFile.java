package org.sdti.model.io;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * A safetensors file opened for lazy, per-tensor access. The header is parsed and validated when the file is
 * opened; tensor bytes are read only when asked for (memory-mapped for local files, ranged reads elsewhere).
 * Thread-safe for reading.
 *
 * <p>Opening checks what the reference implementation checks, with an error naming the file and the problem:
 * header length within the file and at most {@link #MAX_HEADER_BYTES}; strict UTF-8 JSON object without
 * duplicate keys; known dtypes; byte ranges matching dtype and shape; and tensors tiling the data section with no
 * overlap, hole or trailing bytes. Header alignment and the order of tensors in the data section are not assumed.
 * Files may exceed 2 GiB; a single tensor read through {@link #bytes} may not.
 */
public final class SafeTensorsFile implements WeightFile {
    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final RangeReader reader;
    private final String source;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafeTensorsFile(RangeReader reader) throws IOException {
        this.reader = reader;
        this.source = reader.describe();
        long fileSize = reader.size();
        if (fileSize < 8) {
            throw new SafeTensorsException(source, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        long headerLen = reader.read(0, 8).getLong(0);
        // a u64 above Long.MAX_VALUE reads as negative: it is over the limit too
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(source, "header length " + Long.toUnsignedString(headerLen)
                    + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (headerLen > fileSize - 8) {
            throw new SafeTensorsException(source, "header length " + headerLen + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        this.dataStart = 8 + headerLen;
        HeaderParser.Header header = new HeaderParser(source)
                .parse(reader.read(8, (int) headerLen), fileSize - dataStart);
        this.tensors = header.tensors();
        this.metadata = header.metadata();
    }

    /** Opens a local file (memory-mapped). */
    public static SafeTensorsFile open(Path file) throws IOException {
        RangeReader r = new MappedRangeReader(file);
        return openWith(r);
    }

    /** Opens a file on any Hadoop file system; local files are memory-mapped, others use ranged reads. */
    public static SafeTensorsFile open(FileSystem fs, org.apache.hadoop.fs.Path file) throws IOException {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        if ("file".equals(raw.getUri().getScheme())) {
            return open(Path.of(raw.makeQualified(file).toUri()));
        }
        return openWith(new HadoopRangeReader(fs, file));
    }

    /** Opens a file named by a URI or plain path ({@code file:}, {@code hdfs:}, {@code s3a:} ...). */
    public static SafeTensorsFile open(String uri, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        URI u = p.toUri();
        if (u.getScheme() == null || "file".equals(u.getScheme())) {
            return open(Path.of(u.getPath()));
        }
        return open(p.getFileSystem(conf), p);
    }

    private static SafeTensorsFile openWith(RangeReader r) throws IOException {
        try {
            return new SafeTensorsFile(r);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    @Override
    public String source() {
        return source;
    }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in header order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) throws SafeTensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafeTensorsException(source, "no tensor named '" + name + "'");
        }
        return t;
    }

    /** The tensor's raw little-endian bytes. */
    public ByteBuffer bytes(String name) throws IOException {
        TensorInfo t = info(name);
        if (closed) {
            throw new SafeTensorsException(source, "file is closed (reading tensor '" + name + "')");
        }
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw new SafeTensorsException(source, "tensor '" + name + "' is larger than 2 GiB");
        }
        return reader.read(dataStart + t.begin(), (int) t.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The tensor converted to float32, row-major. */
    @Override
    public float[] floats(String name) throws IOException {
        TensorInfo t = info(name);
        ByteBuffer b = bytes(name);
        try {
            return DTypes.toFloats(t.dtype(), b, Math.toIntExact(t.numel()));
        } catch (InternalError e) {
            // the JVM's answer to SIGBUS: a mapped file was cut short after it was mapped
            throw new SafeTensorsException(source, "tensor '" + name + "' could not be read: the file changed "
                    + "while it was read (truncated?)", e);
        }
    }

    /** An integer or boolean tensor as longs, row-major (floating tensors are rejected). */
    public long[] longs(String name) throws IOException {
        TensorInfo t = info(name);
        if (t.dtype().isFloating()) {
            throw new SafeTensorsException(source, "tensor '" + name + "' is " + t.dtype() + ", not an integer tensor");
        }
        return DTypes.toLongs(t.dtype(), bytes(name), Math.toIntExact(t.numel()));
    }

    @Override
    public void close() throws IOException {
        closed = true;
        reader.close();
    }
}
