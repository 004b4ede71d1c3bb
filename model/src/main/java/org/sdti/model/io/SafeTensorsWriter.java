package org.sdti.model.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Builds a safetensors file from named tensors and {@code __metadata__} strings, and writes it atomically or to a
 * stream. Tensor bytes are produced while writing, a chunk at a time, so a multi-gigabyte file never sits in one
 * array.
 *
 * <p>The layout is the reference writer's (huggingface/safetensors {@code serialize}): {@code __metadata__} first
 * (keys in insertion order), then the tensors ordered by element alignment (8-byte types first) and then by name,
 * stored back to back in that order, header padded with spaces to a multiple of 8. The result is independent of
 * the order tensors were added, every tensor is aligned to its element size in the file, and a file read with
 * {@link SafeTensorsFile} and copied through this writer comes out byte for byte identical.
 *
 * <p>Arrays and buffers handed to the {@code add} methods are not copied: don't change them until written.
 * Argument errors (bad shape, duplicate name, value out of range) throw {@link IllegalArgumentException} when the
 * tensor is added; I/O errors name the file being written. Not thread-safe.
 */
public final class SafeTensorsWriter {
    private static final int CHUNK = 1 << 16;

    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private record Pending(String name, DType dtype, long[] shape, long byteLength, TensorSource source) {}

    /** A header and tensor order ready to be written. */
    private record Plan(byte[] header, List<Pending> order, List<TensorInfo> infos, long size) {}

    /** Adds (or replaces the value of) one {@code __metadata__} entry. */
    public SafeTensorsWriter metadata(String key, String value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("metadata key and value must not be null (key " + key + ")");
        }
        HeaderJson.requireUnicode("metadata key", key);
        HeaderJson.requireUnicode("metadata value", value);
        metadata.put(key, value);
        return this;
    }

    /** Adds every entry, in the map's iteration order. */
    public SafeTensorsWriter metadata(Map<String, String> entries) {
        entries.forEach(this::metadata);
        return this;
    }

    /** A float32 tensor. */
    public SafeTensorsWriter addFloats(String name, long[] shape, float[] values) {
        return addFloats(name, DType.F32, shape, values);
    }

    /** Floats stored as F32, F64, F16 or BF16 (the last two rounded to nearest even, as torch does). */
    public SafeTensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': floats cannot be stored as " + dtype
                    + "; use addLongs");
        }
        checkCount(name, shape, values.length);
        return put(name, dtype, shape, chunked(values.length, dtype,
                (from, count, buf) -> DTypes.putFloats(dtype, values, from, count, buf)));
    }

    /** Integers stored as I64, I32, I16, I8, U8 or BOOL (0 or 1); every value must fit the dtype. */
    public SafeTensorsWriter addLongs(String name, DType dtype, long[] shape, long[] values) {
        if (dtype.isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': longs cannot be stored as " + dtype
                    + "; use addFloats");
        }
        checkCount(name, shape, values.length);
        for (int i = 0; i < values.length; i++) {
            if (!DTypes.fits(dtype, values[i])) {
                throw new IllegalArgumentException("tensor '" + name + "': value " + values[i] + " at index " + i
                        + " does not fit " + dtype);
            }
        }
        return put(name, dtype, shape, chunked(values.length, dtype,
                (from, count, buf) -> DTypes.putLongs(dtype, values, from, count, buf)));
    }

    /** Raw little-endian element bytes. */
    public SafeTensorsWriter addBytes(String name, DType dtype, long[] shape, byte[] data) {
        return addBytes(name, dtype, shape, ByteBuffer.wrap(data));
    }

    /** Raw little-endian element bytes: the buffer's remaining bytes (its position is not moved). */
    public SafeTensorsWriter addBytes(String name, DType dtype, long[] shape, ByteBuffer data) {
        ByteBuffer view = data.duplicate();
        long expected = byteLength(name, dtype, shape);
        if (view.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " " + Arrays.toString(shape)
                    + " needs " + expected + " bytes but " + view.remaining() + " were given");
        }
        return put(name, dtype, shape, out -> writeBuffer(view.duplicate(), out));
    }

    /** Bytes produced by {@code source} while the file is written (for tensors too large to hold twice). */
    public SafeTensorsWriter add(String name, DType dtype, long[] shape, TensorSource source) {
        return put(name, dtype, shape, source);
    }

    /** Copies a tensor of an open file unchanged (dtype and bytes); it is read when this file is written. */
    public SafeTensorsWriter copy(SafeTensorsFile from, String name) throws SafeTensorsException {
        return copy(from, name, name);
    }

    /** Copies tensor {@code fromName} of an open file under a new name. */
    public SafeTensorsWriter copy(SafeTensorsFile from, String fromName, String name) throws SafeTensorsException {
        TensorInfo t = from.info(fromName);
        return put(name, t.dtype(), t.shape(), out -> writeBuffer(from.bytes(fromName), out));
    }

    /** The tensors as they will be written: header order, offsets relative to the data section. */
    public List<TensorInfo> layout() {
        return plan().infos();
    }

    /** The size in bytes of the file this writer produces. */
    public long size() {
        return plan().size();
    }

    /** Writes the file to a stream (for embedding in other containers); flushes but does not close it. */
    public long writeTo(OutputStream out) throws IOException {
        String target = "output stream";
        Plan plan = checkedPlan(target);
        stream(plan, out, target);
        return plan.size();
    }

    /** Writes a local file atomically: a temporary file in the same directory, renamed over the target. */
    public void write(Path file) throws IOException {
        String target = file.toAbsolutePath().normalize().toString();
        Plan plan = checkedPlan(target);
        AtomicFiles.write(file, out -> stream(plan, out, target));
    }

    /**
     * Writes a file on any Hadoop file system: local ones as {@link #write(Path)}; others under a temporary name
     * in the same directory, then delete the target and rename (see {@link AtomicFiles}: on S3 the rename is a
     * copy and there is a moment with no file).
     */
    public void write(FileSystem fs, org.apache.hadoop.fs.Path file) throws IOException {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        if ("file".equals(raw.getUri().getScheme())) {
            org.apache.hadoop.fs.Path qualified = raw.makeQualified(file);
            if (fs instanceof ChecksumFileSystem checksummed) {
                // a .crc left by an earlier checksummed write would make Hadoop's own readers reject the new file
                raw.delete(checksummed.getChecksumFile(qualified), false);
            }
            write(Path.of(qualified.toUri()));
            return;
        }
        String target = fs.makeQualified(file).toString();
        Plan plan = checkedPlan(target);
        AtomicFiles.write(fs, file, out -> stream(plan, out, target));
    }

    /** Writes to a URI or plain path ({@code file:}, {@code hdfs:}, {@code s3a:} ...), as the reader opens them. */
    public void write(String uri, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        URI u = p.toUri();
        if (u.getScheme() == null || "file".equals(u.getScheme())) {
            write(Path.of(u.getPath()));
        } else {
            write(p.getFileSystem(conf), p);
        }
    }

    // ---- layout ------------------------------------------------------------------------------------------------

    private SafeTensorsWriter put(String name, DType dtype, long[] shape, TensorSource source) {
        if (name == null || dtype == null || shape == null || source == null) {
            throw new IllegalArgumentException("tensor name, dtype, shape and data must not be null (tensor "
                    + name + ")");
        }
        if (name.equals(HeaderParser.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for the metadata and cannot name a tensor");
        }
        HeaderJson.requireUnicode("tensor name", name);
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already added");
        }
        long[] s = shape.clone();
        tensors.put(name, new Pending(name, dtype, s, byteLength(name, dtype, s), source));
        return this;
    }

    private static long byteLength(String name, DType dtype, long[] shape) {
        try {
            return Math.multiplyExact(numel(name, shape), dtype.size());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " is too large");
        }
    }

    private static long numel(String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has a negative dimension");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " is too large");
            }
        }
        return n;
    }

    private static void checkCount(String name, long[] shape, int count) {
        long n = numel(name, shape);
        if (n != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has "
                    + n + " elements but " + count + " values were given");
        }
    }

    /** Reference writer order: larger element alignment first, then name (code point order = UTF-8 byte order). */
    private static final Comparator<Pending> ORDER = Comparator
            .comparingInt((Pending p) -> -rank(p.dtype()))
            .thenComparing(Pending::name, SafeTensorsWriter::compareCodePoints);

    /** Position in the reference implementation's Dtype enum, which is declared in increasing alignment. */
    private static int rank(DType d) {
        return switch (d) {
            case BOOL -> 0;
            case U8 -> 1;
            case I8 -> 2;
            case I16 -> 5;
            case F16 -> 7;
            case BF16 -> 8;
            case I32 -> 9;
            case F32 -> 11;
            case F64 -> 12;
            case I64 -> 13;
        };
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private Plan plan() {
        List<Pending> order = new ArrayList<>(tensors.values());
        order.sort(ORDER);
        List<TensorInfo> infos = new ArrayList<>(order.size());
        long offset = 0;
        for (Pending p : order) {
            infos.add(new TensorInfo(p.name(), p.dtype(), p.shape(), offset, offset + p.byteLength()));
            offset += p.byteLength();
        }
        byte[] header = HeaderJson.encode(metadata, infos);
        return new Plan(header, order, Collections.unmodifiableList(infos), 8L + header.length + offset);
    }

    private Plan checkedPlan(String target) throws SafeTensorsException {
        Plan plan = plan();
        if (plan.header().length > SafeTensorsFile.MAX_HEADER_BYTES) {
            throw new SafeTensorsException(target, "header would be " + plan.header().length
                    + " bytes, over the " + SafeTensorsFile.MAX_HEADER_BYTES + "-byte limit readers accept");
        }
        return plan;
    }

    // ---- streaming ---------------------------------------------------------------------------------------------

    private static void stream(Plan plan, OutputStream sink, String target) throws IOException {
        // buffers the header and small tensors; 64 KiB chunks from the encoders pass straight through
        BufferedOutputStream out = new BufferedOutputStream(sink, CHUNK);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(plan.header().length).array());
        out.write(plan.header());
        for (Pending p : plan.order()) {
            ExactLengthOutputStream exact = new ExactLengthOutputStream(out, p.byteLength());
            try {
                p.source().writeTo(exact);
                exact.finish();
            } catch (IOException | SafeTensorsException e) {
                throw new SafeTensorsException(target, "tensor '" + p.name() + "': " + e.getMessage(), e);
            }
        }
        out.flush();
    }

    /** Encodes {@code count} elements into a reusable buffer. */
    private interface ChunkEncoder {
        void encode(int from, int count, ByteBuffer buf);
    }

    private static TensorSource chunked(int length, DType dtype, ChunkEncoder encoder) {
        return out -> {
            ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, Math.max(1, length) * dtype.size()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            int perChunk = buf.capacity() / dtype.size();
            for (int from = 0; from < length; from += perChunk) {
                buf.clear();
                encoder.encode(from, Math.min(perChunk, length - from), buf);
                out.write(buf.array(), 0, buf.position());
            }
        };
    }

    private static void writeBuffer(ByteBuffer b, OutputStream out) throws IOException {
        if (b.hasArray()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            return;
        }
        byte[] chunk = new byte[Math.min(CHUNK, b.remaining())];
        while (b.hasRemaining()) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
