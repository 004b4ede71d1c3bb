package org.sdti.model.embeddings;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sdti.model.io.DTypes;
import org.sdti.model.io.RangeReader;
import org.sdti.model.io.TensorInfo;
import org.sdti.model.io.WeightFile;
import org.sdti.model.io.ZipDirectory;

/**
 * A PyTorch {@code .ckpt} (a {@code torch.save} zip archive) read as named tensors without running it: the pickle
 * goes through sdti's restricted unpickler with {@link CheckpointGlobals}, and each tensor's bytes are read from its
 * stored archive entry only when asked for (memory-mapped locally, by range elsewhere), so a checkpoint of
 * gigabytes is never copied onto the heap. The tensors are those of {@code state_dict} (nested ones unwrapped, as
 * diffusers' converter does), or of the top-level dict when there is none.
 */
public final class TorchCheckpoint implements WeightFile {
    /** The pickle of a released SD checkpoint is well under a megabyte; this bounds a hostile one. */
    static final int MAX_PICKLE_BYTES = 64 << 20;
    private static final Pattern DATA_PKL = Pattern.compile("[^/]+/data\\.pkl");

    private final RangeReader reader;
    private final String source;
    private final Map<String, Object> tensors;
    private final Map<String, Long> dataOffsets;
    private final ByteOrder order;

    private TorchCheckpoint(RangeReader reader, String source, Map<String, Object> tensors,
            Map<String, Long> dataOffsets, ByteOrder order) {
        this.reader = reader;
        this.source = source;
        this.tensors = tensors;
        this.dataOffsets = dataOffsets;
        this.order = order;
    }

    public static TorchCheckpoint open(FileSystem fs, Path file) throws IOException {
        RangeReader r = RangeReader.open(fs, file);
        try {
            return read(r, fs.makeQualified(file).toString());
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static TorchCheckpoint read(RangeReader r, String source) throws IOException {
        Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(r, source).entries();
        ZipDirectory.Entry pkl = null;
        for (ZipDirectory.Entry e : entries.values()) {
            if (DATA_PKL.matcher(e.name()).matches()) {
                if (pkl != null) {
                    throw new EmbeddingFileException(source, "a zip archive with more than one data.pkl; a torch "
                            + "file has one");
                }
                pkl = e;
            }
        }
        if (pkl == null) {
            throw new EmbeddingFileException(source, "a zip archive without <folder>/data.pkl, so not a torch "
                    + "checkpoint");
        }
        String top = pkl.name().substring(0, pkl.name().indexOf('/'));
        ZipDirectory.Entry byteorder = entries.get(top + "/byteorder");
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (byteorder != null) {
            String text = new String(contents(r, byteorder, 16, source), StandardCharsets.US_ASCII).strip();
            if (!text.equals("little") && !text.equals("big")) {
                throw new EmbeddingFileException(source, "unknown byteorder '" + text + "'");
            }
            order = text.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }
        String dataPrefix = top + "/data/";
        Map<String, Long> offsets = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (ZipDirectory.Entry e : entries.values()) {
            // torch writes storages stored (uncompressed); only those can be read in place
            if (e.name().startsWith(dataPrefix) && e.method() == 0) {
                offsets.put(e.name().substring(dataPrefix.length()), e.dataOffset());
                sizes.put(e.name().substring(dataPrefix.length()), e.size());
            }
        }
        byte[] pickle = contents(r, pkl, MAX_PICKLE_BYTES, source);
        Object root = new Unpickler(pickle, source,
                new CheckpointGlobals(key -> sizes.getOrDefault(key, -1L))).load();
        return new TorchCheckpoint(r, source, stateDict(root, source), offsets, order);
    }

    private static Map<String, Object> stateDict(Object root, String source) throws EmbeddingFileException {
        Object d = root;
        while (d instanceof Map<?, ?> m && m.get("state_dict") instanceof Map<?, ?> inner) {
            d = inner;
        }
        if (!(d instanceof Map<?, ?> m)) {
            throw new EmbeddingFileException(source, "holds a " + Py.typeName(root) + ", not a dict of tensors");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() instanceof String k) {
                out.put(k, e.getValue());
            }
        }
        return out;
    }

    private static byte[] contents(RangeReader r, ZipDirectory.Entry e, int max, String source) throws IOException {
        if (e.size() > max || e.compressedSize() > max) {
            throw new EmbeddingFileException(source, "entry " + e.name() + " is " + e.size() + " bytes, more than "
                    + "the " + max + " it may hold");
        }
        ByteBuffer raw = r.read(e.dataOffset(), (int) e.compressedSize());
        byte[] in = new byte[raw.remaining()];
        raw.get(in);
        if (e.method() == 0) {
            return in;
        }
        if (e.method() != 8) {
            throw new EmbeddingFileException(source, "entry " + e.name() + " uses zip method " + e.method()
                    + " (expected stored or deflated)");
        }
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(in);
            byte[] out = new byte[(int) e.size()];
            int n = inf.inflate(out);
            if (n != out.length || !inf.finished()) {
                throw new EmbeddingFileException(source, "entry " + e.name() + " inflates to other than its "
                        + e.size() + " bytes");
            }
            return out;
        } catch (DataFormatException x) {
            throw new EmbeddingFileException(source, "entry " + e.name() + " is damaged (" + x.getMessage() + ")");
        } finally {
            inf.end();
        }
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public boolean contains(String name) {
        return tensors.get(name) instanceof CheckpointGlobals.Lazy;
    }

    @Override
    public TensorInfo info(String name) throws IOException {
        CheckpointGlobals.Lazy t = tensor(name);
        long begin = t.offset() * t.dtype().size();
        return new TensorInfo(name, t.dtype(), t.shape(), begin, begin + t.numel() * t.dtype().size());
    }

    private CheckpointGlobals.Lazy tensor(String name) throws IOException {
        Object v = tensors.get(name);
        if (v instanceof CheckpointGlobals.Lazy t) {
            return t;
        }
        throw new EmbeddingFileException(source, v == null ? "no tensor named '" + name + "'"
                : "'" + name + "' is a " + Py.typeName(v) + ", not a tensor");
    }

    @Override
    public float[] floats(String name) throws IOException {
        CheckpointGlobals.Lazy t = tensor(name);
        if (!t.dtype().isFloating()) {
            throw new EmbeddingFileException(source, "tensor '" + name + "' is " + t.dtype() + ", not floating-point");
        }
        int size = t.dtype().size();
        long bytes = t.numel() * size;
        if (bytes > Integer.MAX_VALUE) {
            throw new EmbeddingFileException(source, "tensor '" + name + "' is larger than 2 GiB");
        }
        ByteBuffer b = reader.read(dataOffsets.get(t.storage()) + t.offset() * size, (int) bytes);
        if (order == ByteOrder.BIG_ENDIAN) {
            b = swapped(b, size);
        }
        try {
            return DTypes.toFloats(t.dtype(), b.order(ByteOrder.LITTLE_ENDIAN), Math.toIntExact(t.numel()));
        } catch (InternalError e) {
            // the JVM's answer to SIGBUS: a mapped file was cut short after it was mapped
            throw new EmbeddingFileException(source, "tensor '" + name + "' could not be read: the file changed "
                    + "while it was read (truncated?)", e);
        }
    }

    private static ByteBuffer swapped(ByteBuffer b, int size) {
        ByteBuffer out = ByteBuffer.allocate(b.remaining());
        byte[] element = new byte[size];
        while (b.hasRemaining()) {
            b.get(element);
            for (int i = size - 1; i >= 0; i--) out.put(element[i]);
        }
        return out.flip();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
