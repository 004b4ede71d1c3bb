package org.sdti.model.models;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sdti.model.io.DType;

/**
 * The identity of a component's weights by content: per parameter a SHA-256 of its diffusers name, stored dtype,
 * layout shape and float32 values (little-endian), recorded as the network reads it; the component's digest
 * hashes those in name order. The same weights give the same digest in a diffusers folder and in a single file
 * (whatever the key spelling, fused projections or 1×1-conv shapes), while float16 or bfloat16 weights differ by
 * their dtype even where their values upcast to the same floats. Thread-safe: networks read tensors from several
 * threads.
 */
final class ParameterDigests {
    private static final int CHUNK_FLOATS = 16_384;

    private final Map<String, byte[]> digests = new ConcurrentHashMap<>();

    boolean has(String name) {
        return digests.containsKey(name);
    }

    void record(String name, DType dtype, long[] shape, float[] values) {
        if (digests.containsKey(name)) {
            return;
        }
        MessageDigest d = sha256();
        StringBuilder head = new StringBuilder(name).append('\0').append(dtype.name());
        for (long s : shape) {
            head.append('\0').append(s);
        }
        d.update(head.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        ByteBuffer bytes = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        for (int i = 0; i < values.length; i += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, values.length - i);
            floats.clear();
            floats.put(values, i, n);
            d.update(bytes.array(), 0, n * Float.BYTES);
        }
        digests.put(name, d.digest());
    }

    /** The digest over {@code names} (each recorded), as 64 hex digits. */
    String combine(List<String> names) {
        MessageDigest d = sha256();
        d.update("sdti-weights-v1\n".getBytes(StandardCharsets.UTF_8));
        for (String name : names) {
            byte[] one = digests.get(name);
            if (one == null) {
                throw new IllegalStateException("parameter '" + name + "' was never read");
            }
            d.update(one);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
