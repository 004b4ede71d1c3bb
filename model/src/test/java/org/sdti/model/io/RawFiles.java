package org.sdti.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors bytes, for layouts and damage our writer never produces. */
final class RawFiles {
    private RawFiles() {}

    /** Header length, the header text exactly as given (no padding), then the data. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return concat(u64(h.length), h, data);
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] f32(float... v) {
        ByteBuffer b = le(v.length * 4);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = le(v.length * 8);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = le(v.length * 8);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    static byte[] i32(int... v) {
        ByteBuffer b = le(v.length * 4);
        for (int x : v) b.putInt(x);
        return b.array();
    }

    /** 16-bit patterns (F16, BF16, I16), little-endian. */
    static byte[] u16(int... v) {
        ByteBuffer b = le(v.length * 2);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }

    static byte[] bytes(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (byte) v[i];
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
