package org.sdti.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The element conversions, against known bit patterns and against brute-force nearest-value oracles. */
class SafeTensorsDTypesTest {

    @ParameterizedTest(name = "{0} -> half {1}")
    @CsvSource({
        "1.0, 0x3C00",
        "-2.0, 0xC000",
        "65504, 0x7BFF",          // largest half
        "65519.996, 0x7BFF",      // just under the rounding boundary
        "65520, 0x7C00",          // rounds to infinity
        "1e6, 0x7C00",
        "-1e6, 0xFC00",
        "5.96e-8, 0x0001",        // smallest subnormal, 2^-24
        "0.1, 0x2E66",
        "6.1035156e-5, 0x0400",   // smallest normal, 2^-14
        "3.3333334e-1, 0x3555",
        "0.0, 0x0000",
        "-0.0, 0x8000",
        "Infinity, 0x7C00",
        "-Infinity, 0xFC00",
        "1.4e-45, 0x0000",        // float subnormal underflows
    })
    void floatToHalfKnownPatterns(float f, String hex) {
        assertEquals(Integer.decode(hex), DTypes.floatToHalf(f) & 0xffff);
    }

    @Test
    void floatToHalfRoundsTiesToEven() {
        assertEquals(0x3C00, half(1 + 0x1p-11f), "1 + half an ulp: tie, to even 0x3C00");
        assertEquals(0x3C02, half(1 + 3 * 0x1p-11f), "1 + 1.5 ulp: tie, to even 0x3C02");
        assertEquals(0x3C01, half(1 + 0x1p-11f + 0x1p-20f), "just above the tie rounds up");
        assertEquals(0x0000, half(0x1p-25f), "half the smallest subnormal: tie, to even 0");
        assertEquals(0x0001, half(Math.nextUp(0x1p-25f)), "just above it rounds up");
        assertEquals(0x0002, half(3 * 0x1p-25f), "1.5 subnormal units: tie, to even 2");
        assertEquals(0x0400, half(0x1p-14f - 0x1p-25f), "largest subnormal + half a unit carries into the exponent");
        assertEquals(0x8001, half(-0x1p-24f), "sign kept on subnormals");
        assertEquals(0x8000, half(-0x1p-26f), "negative underflow is -0");
    }

    @Test
    void floatToHalfKeepsNaN() {
        for (float nan : new float[] {Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00000)}) {
            int h = half(nan);
            assertEquals(0x7C00, h & 0x7C00, "exponent all ones");
            assertTrue((h & 0x03FF) != 0, "mantissa non-zero (NaN, not infinity)");
            assertTrue(Float.isNaN(DTypes.halfToFloat((short) h)));
        }
        assertEquals(0x8000, half(Float.intBitsToFloat(0xffc00000)) & 0x8000, "NaN sign kept");
    }

    @ParameterizedTest(name = "half {0} -> {1}")
    @CsvSource({
        "0x3C00, 1.0",
        "0xC000, -2.0",
        "0x7BFF, 65504",
        "0x0001, 5.9604645e-8",
        "0x03FF, 6.097555e-5",    // largest subnormal
        "0x0400, 6.1035156e-5",
        "0x2E66, 0.099975586",
        "0x3A00, 0.75",
        "0x7C00, Infinity",
        "0xFC00, -Infinity",
    })
    void halfToFloatKnownPatterns(String hex, float expected) {
        assertEquals(expected, DTypes.halfToFloat((short) (int) Integer.decode(hex)));
    }

    @Test
    void halfToFloatSignedZeroAndNaN() {
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(DTypes.halfToFloat((short) 0x8000)));
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(DTypes.halfToFloat((short) 0)));
        assertTrue(Float.isNaN(DTypes.halfToFloat((short) 0x7E00)));
        assertTrue(Float.isNaN(DTypes.halfToFloat((short) 0xFC01)));
    }

    @Test
    void everyHalfSurvivesARoundTripThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            float f = DTypes.halfToFloat((short) h);
            boolean nan = (h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0;
            if (nan) {
                assertTrue(Float.isNaN(f));
            } else {
                int expected = h;
                assertEquals(expected, half(f), () -> "half 0x" + Integer.toHexString(expected));
            }
        }
    }

    @Test
    void floatToHalfAgreesWithNearestValueOracle() {
        // all non-negative finite halves, ascending (bit order is value order)
        double[] halves = new double[0x7C00];
        for (int h = 0; h < halves.length; h++) halves[h] = DTypes.halfToFloat((short) h);
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 400_000; i++) {
            // random bit patterns cover every exponent; the second half concentrates on the half range
            float f = i % 2 == 0 ? Float.intBitsToFloat(rnd.nextInt())
                    : (float) (rnd.nextDouble(-70000, 70000) * Math.pow(2, -rnd.nextInt(30)));
            if (Float.isNaN(f)) continue;
            assertEquals(oracleHalf(halves, f), half(f), "float " + f + " bits " + Integer.toHexString(Float.floatToRawIntBits(f)));
        }
    }

    private static int oracleHalf(double[] halves, float f) {
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
        double a = Math.abs((double) f);
        if (a >= 65520) return sign | 0x7C00; // at or beyond max + half an ulp (2^15 * 2^-11 / 2 = 16)
        if (a > 65504) return sign | 0x7BFF;
        int i = Arrays.binarySearch(halves, a);
        if (i >= 0) return sign | i;
        int hi = -i - 1;
        int lo = hi - 1;
        double dl = a - halves[lo];
        double dh = halves[hi] - a;
        int pick = dl < dh ? lo : dh < dl ? hi : ((lo & 1) == 0 ? lo : hi);
        return sign | pick;
    }

    @ParameterizedTest(name = "{0} -> bf16 {1}")
    @CsvSource({
        "1.0, 0x3F80",
        "3.1415927, 0x4049",
        "-2.0, 0xC000",
        "0.1, 0x3DCD",
        "-0.0, 0x8000",
        "Infinity, 0x7F80",
        "-Infinity, 0xFF80",
        "3.4028235e38, 0x7F80",   // max float rounds to infinity, as torch does
        "1.0078125, 0x3F81",      // 1 + 2^-7, exact
    })
    void floatToBf16KnownPatterns(float f, String hex) {
        assertEquals(Integer.decode(hex), DTypes.floatToBf16(f) & 0xffff);
    }

    @Test
    void floatToBf16RoundsTiesToEvenAndKeepsNaN() {
        assertEquals(0x3F80, bf16(1 + 0x1p-8f), "tie to even");
        assertEquals(0x3F82, bf16(1 + 3 * 0x1p-8f), "tie to even, upwards");
        assertEquals(0x3F81, bf16(1 + 0x1p-8f + 0x1p-20f));
        assertEquals(0x0001, bf16(Float.intBitsToFloat(0x00010000)), "subnormals keep their top bits");
        for (int bits : new int[] {0x7fc00000, 0x7f800001, 0xffffffff, 0x7fffffff}) {
            int b = bf16(Float.intBitsToFloat(bits));
            assertTrue(Float.isNaN(Float.intBitsToFloat(b << 16)), Integer.toHexString(bits) + " stays NaN");
        }
    }

    @Test
    void floatToBf16AgreesWithNearestValueOracle() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 400_000; i++) {
            int bits = rnd.nextInt();
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) continue;
            int lo = bits & 0xFFFF0000;
            double a = Math.abs((double) f);
            double vlo = Math.abs((double) Float.intBitsToFloat(lo));
            int hiBits = lo + 0x10000;
            // the step past the largest finite bf16 is 2^128, which rounds to infinity
            double vhi = (hiBits & 0x7fffffff) == 0x7f800000 ? 0x1p128 : Math.abs((double) Float.intBitsToFloat(hiBits));
            double dl = a - vlo;
            double dh = vhi - a;
            int expected = (dl < dh ? lo : dh < dl ? hiBits : ((lo >>> 16) & 1) == 0 ? lo : hiBits) >>> 16;
            if (Float.isInfinite(f)) expected = bits >>> 16;
            assertEquals(expected, bf16(f), () -> "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void putFloatsEncodesEachFloatingDtype() {
        float[] v = {1f, -0f, 0.1f, 65520f, Float.NaN, 0x1p-24f, -3.1415927f};
        for (DType dt : new DType[] {DType.F32, DType.F64, DType.F16, DType.BF16}) {
            ByteBuffer b = ByteBuffer.allocate(v.length * dt.size() + 3).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[] {9, 9, 9});
            DTypes.putFloats(dt, v, 1, v.length - 1, b);
            assertEquals(3 + (v.length - 1) * dt.size(), b.position(), dt + " advances the position");
            float[] back = DTypes.toFloats(dt, b.flip().position(3).slice(), v.length - 1);
            for (int i = 1; i < v.length; i++) {
                float expected = switch (dt) {
                    case F32, F64 -> v[i];
                    case F16 -> DTypes.halfToFloat(DTypes.floatToHalf(v[i]));
                    default -> Float.intBitsToFloat(DTypes.floatToBf16(v[i]) << 16);
                };
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(back[i - 1]), dt + " value " + i);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> DTypes.putFloats(DType.I32, v, 0, 1, ByteBuffer.allocate(8)));
    }

    @Test
    void putLongsEncodesEachIntegerDtype() {
        long[][] cases = {
            {Long.MIN_VALUE, -1, Long.MAX_VALUE}, {Integer.MIN_VALUE, -1, Integer.MAX_VALUE},
            {Short.MIN_VALUE, -1, Short.MAX_VALUE}, {-128, -1, 127}, {0, 200, 255}, {0, 1, 1}};
        DType[] dts = {DType.I64, DType.I32, DType.I16, DType.I8, DType.U8, DType.BOOL};
        for (int k = 0; k < dts.length; k++) {
            DType dt = dts[k];
            ByteBuffer b = ByteBuffer.allocate(3 * dt.size()).order(ByteOrder.LITTLE_ENDIAN);
            DTypes.putLongs(dt, cases[k], 0, 3, b);
            assertFalse(b.hasRemaining());
            assertArrayEquals(cases[k], DTypes.toLongs(dt, b.flip(), 3), dt.name());
        }
    }

    @Test
    void fitsChecksTheRangeOfEachIntegerDtype() {
        assertTrue(DTypes.fits(DType.I64, Long.MIN_VALUE));
        assertTrue(DTypes.fits(DType.I32, Integer.MIN_VALUE));
        assertFalse(DTypes.fits(DType.I32, Integer.MAX_VALUE + 1L));
        assertTrue(DTypes.fits(DType.I16, -32768));
        assertFalse(DTypes.fits(DType.I16, 32768));
        assertTrue(DTypes.fits(DType.I8, -128));
        assertFalse(DTypes.fits(DType.I8, 128));
        assertTrue(DTypes.fits(DType.U8, 255));
        assertFalse(DTypes.fits(DType.U8, -1));
        assertFalse(DTypes.fits(DType.U8, 256));
        assertTrue(DTypes.fits(DType.BOOL, 1));
        assertFalse(DTypes.fits(DType.BOOL, 2));
        assertThrows(IllegalArgumentException.class, () -> DTypes.fits(DType.F32, 0));
    }

    @Test
    void toFloatsReadsU8Above127AndBoolAsNonZero() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) 255, (byte) 128, 2, 0});
        assertArrayEquals(new float[] {255, 128, 2, 0}, DTypes.toFloats(DType.U8, b, 4));
        assertArrayEquals(new float[] {-1, -128, 2, 0}, DTypes.toFloats(DType.I8, b, 4));
        assertArrayEquals(new float[] {1, 1, 1, 0}, DTypes.toFloats(DType.BOOL, b, 4));
    }

    private static int half(float f) {
        return DTypes.floatToHalf(f) & 0xffff;
    }

    private static int bf16(float f) {
        return DTypes.floatToBf16(f) & 0xffff;
    }
}
