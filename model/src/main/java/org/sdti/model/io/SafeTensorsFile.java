package org.sdti.model.io;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * A safetensors file opened for lazy, per-tensor access. The header is parsed and validated when the file is
 * opened; tensor bytes are read only when asked for (memory-mapped for local files, ranged reads elsewhere).
 * Thread-safe for reading.
 */
public final class SafeTensorsFile implements Closeable {
    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RangeReader reader;
    private final String source;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(RangeReader reader) throws IOException {
        this.reader = reader;
        this.source = reader.describe();
        long fileSize = reader.size();
        if (fileSize < 8) {
            throw new SafeTensorsException(source, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        long headerLen = reader.read(0, 8).getLong(0);
        if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(source, "header length " + Long.toUnsignedString(headerLen)
                    + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
        }
        if (8 + headerLen > fileSize) {
            throw new SafeTensorsException(source, "header length " + headerLen + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        this.dataStart = 8 + headerLen;
        ByteBuffer headerBytes = reader.read(8, (int) headerLen);
        byte[] raw = new byte[(int) headerLen];
        headerBytes.get(raw);
        JsonNode root;
        try {
            root = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new SafeTensorsException(source, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafeTensorsException(source, "header is not a JSON object");
        }
        long dataSize = fileSize - dataStart;
        Map<String, TensorInfo> parsed = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                parseMetadata(e.getValue(), meta);
            } else {
                parsed.put(e.getKey(), parseEntry(e.getKey(), e.getValue(), dataSize));
            }
        }
        checkOverlaps(parsed.values());
        this.tensors = Collections.unmodifiableMap(parsed);
        this.metadata = Collections.unmodifiableMap(meta);
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

    private void parseMetadata(JsonNode node, Map<String, String> out) throws SafeTensorsException {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new SafeTensorsException(source, "__metadata__ is not a JSON object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafeTensorsException(source, "__metadata__ value of '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
    }

    private TensorInfo parseEntry(String name, JsonNode node, long dataSize) throws SafeTensorsException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafeTensorsException(source, where + ": header entry is not a JSON object");
        }
        JsonNode dt = node.get("dtype");
        DType dtype = dt == null ? null : DType.parse(dt.asText());
        if (dtype == null) {
            throw new SafeTensorsException(source, where + ": unknown or missing dtype " + (dt == null ? "" : dt));
        }
        JsonNode sh = node.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new SafeTensorsException(source, where + ": missing shape");
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new SafeTensorsException(source, where + ": shape " + sh + " is not a list of non-negative integers");
            }
            shape[i] = d.asLong();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        JsonNode off = node.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber()) {
            throw new SafeTensorsException(source, where + ": data_offsets must be [begin, end]");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new SafeTensorsException(source, where + ": data_offsets " + off + " are not an ascending range");
        }
        if (end > dataSize) {
            throw new SafeTensorsException(source, where + ": data_offsets " + off + " run past the end of the data ("
                    + dataSize + " bytes; the file is truncated or the offsets are wrong)");
        }
        long expected = numel * dtype.size();
        if (end - begin != expected) {
            throw new SafeTensorsException(source, where + ": " + dtype + " " + java.util.Arrays.toString(shape)
                    + " needs " + expected + " bytes but data_offsets " + off + " hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private void checkOverlaps(java.util.Collection<TensorInfo> infos) throws SafeTensorsException {
        List<TensorInfo> sorted = new ArrayList<>(infos);
        sorted.removeIf(t -> t.byteLength() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new SafeTensorsException(source, "tensors '" + a.name() + "' [" + a.begin() + ", " + a.end()
                        + ") and '" + b.name() + "' [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
    }

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

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

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
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw new SafeTensorsException(source, "tensor '" + name + "' is larger than 2 GiB");
        }
        return reader.read(dataStart + t.begin(), (int) t.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The tensor converted to float32, row-major. */
    public float[] floats(String name) throws IOException {
        TensorInfo t = info(name);
        return DTypes.toFloats(t.dtype(), bytes(name), Math.toIntExact(t.numel()));
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
        reader.close();
    }
}
