package org.sdti.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Conversions between the format's element encodings and Java arrays. */
public final class DTypes {
    private DTypes() {}

    public static float[] toFloats(DType dtype, ByteBuffer src, int n) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(0);
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            }
            case I64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getLong(i * 8);
            }
            case I32 -> {
                for (int i = 0; i < n; i++) out[i] = (float) b.getInt(i * 4);
            }
            case I16 -> {
                for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2);
            }
            case I8 -> {
                for (int i = 0; i < n; i++) out[i] = b.get(i);
            }
            case U8 -> {
                for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff;
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) out[i] = b.get(i) != 0 ? 1f : 0f;
            }
        }
        return out;
    }

    public static long[] toLongs(DType dtype, ByteBuffer src, int n) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position(0);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8 -> b.get(i) & 0xff;
                case BOOL -> b.get(i) != 0 ? 1 : 0;
                default -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
            };
        }
        return out;
    }

    /**
     * Encodes {@code src[from, from + count)} as {@code dtype} (F32, F64, F16 or BF16) into {@code dst} at its
     * position, advancing it; {@code dst} must be little-endian.
     */
    static void putFloats(DType dtype, float[] src, int from, int count, ByteBuffer dst) {
        switch (dtype) {
            case F32 -> {
                dst.asFloatBuffer().put(src, from, count);
                dst.position(dst.position() + 4 * count);
            }
            case F64 -> {
                for (int i = from; i < from + count; i++) dst.putDouble(src[i]);
            }
            case F16 -> {
                for (int i = from; i < from + count; i++) dst.putShort(floatToHalf(src[i]));
            }
            case BF16 -> {
                for (int i = from; i < from + count; i++) dst.putShort(floatToBf16(src[i]));
            }
            default -> throw new IllegalArgumentException(dtype + " is not a floating dtype");
        }
    }

    /**
     * Encodes {@code src[from, from + count)} as the integer or boolean {@code dtype} into {@code dst} at its
     * position, advancing it; {@code dst} must be little-endian and every value must {@link #fits fit}.
     */
    static void putLongs(DType dtype, long[] src, int from, int count, ByteBuffer dst) {
        for (int i = from; i < from + count; i++) {
            switch (dtype) {
                case I64 -> dst.putLong(src[i]);
                case I32 -> dst.putInt((int) src[i]);
                case I16 -> dst.putShort((short) src[i]);
                case I8, U8, BOOL -> dst.put((byte) src[i]);
                default -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
            }
        }
    }

    /** Whether {@code v} is representable in the integer or boolean {@code dtype} (BOOL takes 0 and 1). */
    public static boolean fits(DType dtype, long v) {
        return switch (dtype) {
            case I64 -> true;
            case I32 -> v == (int) v;
            case I16 -> v == (short) v;
            case I8 -> v == (byte) v;
            case U8 -> v >= 0 && v <= 0xff;
            case BOOL -> v == 0 || v == 1;
            default -> throw new IllegalArgumentException(dtype + " is not an integer dtype");
        };
    }

    /** IEEE 754 binary16 to float32 (exact: every half is a float). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal half: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float32 to binary16 with round-to-nearest-even (as torch's .half()). */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** float32 to bfloat16 with round-to-nearest-even (as torch's .bfloat16()). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
