package org.sdti.model.embeddings;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Hand-assembled pickles and torch archives, for layouts and damage the writers never produce. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes proto2() {
        return new PickleBytes().op(0x80, 2);
    }

    PickleBytes op(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    PickleBytes op(byte[] raw) {
        out.writeBytes(raw);
        return this;
    }

    /** BINUNICODE. */
    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X').le(b.length, 4);
        out.writeBytes(b);
        return this;
    }

    /** GLOBAL module\nname\n. */
    PickleBytes global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** BININT. */
    PickleBytes i32(int v) {
        return op('J').le(v, 4);
    }

    PickleBytes le(long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)) & 0xff);
        return this;
    }

    /** Adds STOP. */
    byte[] stop() {
        return op('.').out.toByteArray();
    }

    /**
     * {@code _rebuild_tensor_v2(storage(FloatStorage, key, numel), offset, (size...), (stride...), False,
     * OrderedDict())}, sizes and strides as BININT.
     */
    PickleBytes tensor(String storageType, String key, int numel, int offset, int[] size, int[] stride) {
        return tensor(storageType, key, numel, (long) offset, size, stride);
    }

    /** The same with any storage offset, as LONG1 when it does not fit BININT. */
    PickleBytes tensor(String storageType, String key, int numel, long offset, int[] size, int[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').str("storage").global("torch", storageType).str(key).str("cpu").i32(numel).op('t', 'Q');
        if (offset == (int) offset) {
            i32((int) offset);
        } else {
            op(0x8a, 8).le(offset, 8);
        }
        op('(');
        for (int s : size) i32(s);
        op('t', '(');
        for (int s : stride) i32(s);
        op('t', 0x89);
        global("collections", "OrderedDict").op(')', 'R');
        return op('t', 'R');
    }

    /** A torch archive holding this pickle (STOP added) and the given storages {@code data/0, data/1, ...}. */
    byte[] archive(String folder, byte[]... storages) throws IOException {
        TorchZipWriter zip = new TorchZipWriter(folder).add("data.pkl", stop());
        for (int i = 0; i < storages.length; i++) zip.add("data/" + i, storages[i]);
        zip.add("version", "3\n".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        zip.writeTo(bytes);
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        return java.nio.file.Files.write(file, bytes);
    }
}
