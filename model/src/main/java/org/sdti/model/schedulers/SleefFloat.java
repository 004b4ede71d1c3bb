package org.sdti.model.schedulers;

/**
 * Single-precision exp and log as torch 1.13's CPU kernels compute them: through SLEEF's vectorised {@code expf}
 * and {@code logf} (1-ulp variants, AVX2 build with fused multiply-add), even for one-element tensors.
 * DPM-Solver's log-SNR steps depend on these scalars; with correctly rounded exp/log instead, its trajectory
 * drifts from the reference by a few ulps (1.1e-5 on |x| ~ 50 after ten steps).
 *
 * <p>Algorithms after SLEEF 3.5 (https://sleef.org, Copyright Naoki Shibata and contributors 2010 - 2020,
 * Boost Software License 1.0): Cody-Waite reduction plus a degree-6 polynomial for exp; for log, a double-float
 * evaluation of 2 atanh((m-1)/(m+1)) plus e ln2.
 */
final class SleefFloat {
    private static final float R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    private static final float L2U = 0.693145751953125f;
    private static final float L2L = 1.428606765330187045e-06f;
    private static final float LN2_HI = 0.69314718246459960938f;
    private static final float LN2_LO = -1.904654323148236017e-09f;

    private SleefFloat() {}

    static float exp(float d) {
        if (Float.isNaN(d)) {
            return d;
        }
        int q = (int) Math.rint(d * R_LN2);
        float s = Math.fma((float) q, -L2U, d);
        s = Math.fma((float) q, -L2L, s);

        // the C source writes these as double literals narrowed to float
        float u = (float) 0.000198527617612853646278381;
        u = Math.fma(u, s, (float) 0.00139304355252534151077271);
        u = Math.fma(u, s, (float) 0.00833336077630519866943359);
        u = Math.fma(u, s, (float) 0.0416664853692054748535156);
        u = Math.fma(u, s, (float) 0.166666671633720397949219);
        u = Math.fma(u, s, 0.5f);
        u = 1.0f + Math.fma(s * s, u, s);
        u = ldexp2(u, q);

        if (d < -104) {
            return 0f;
        }
        return d > 100 ? Float.POSITIVE_INFINITY : u;
    }

    static float log(float d) {
        if (Float.isNaN(d) || d < 0) {
            return Float.NaN;
        }
        if (d == 0) {
            return Float.NEGATIVE_INFINITY;
        }
        if (d == Float.POSITIVE_INFINITY) {
            return d;
        }
        boolean subnormal = d < Float.MIN_NORMAL;
        if (subnormal) {
            d = d * 0x1p64f;
        }
        int e = exponent(d * (1.0f / 0.75f));
        float m = Float.intBitsToFloat(Float.floatToRawIntBits(d) + (-e << 23));
        if (subnormal) {
            e -= 64;
        }
        float ef = (float) e;

        // s = ln2 * e as a double-float (hi, lo)
        float sHi = LN2_HI * ef;
        float sLo = Math.fma(LN2_LO, ef, Math.fma(LN2_HI, ef, -sHi));

        // x = (m - 1) / (m + 1) as a double-float
        float nHi = -1f + m;
        float nV = nHi - -1f;
        float nLo = (-1f - (nHi - nV)) + (m - nV);
        float dHi = 1f + m;
        float dV = dHi - 1f;
        float dLo = (1f - (dHi - dV)) + (m - dV);
        float t = 1f / dHi;
        float xHi = nHi * t;
        float u = Math.fma(t, nHi, -xHi);
        float v = Math.fma(-dLo, t, Math.fma(-dHi, t, 1f));
        float xLo = Math.fma(xHi, v, Math.fma(nLo, t, u));

        float x2 = xHi * xHi;
        float p = 0.3027294874f;
        p = Math.fma(p, x2, 0.3996108174f);
        p = Math.fma(p, x2, 0.6666694880f);

        // s += 2x  (double-float + double-float)
        float yHi = xHi * 2f;
        float yLo = xLo * 2f;
        float sum = sHi + yHi;
        float low = (((sHi - sum) + yHi) + sLo) + yLo;
        sHi = sum;
        sLo = low;
        // s += x^3 * p  (double-float + float)
        float w = (x2 * xHi) * p;
        sum = sHi + w;
        low = ((sHi - sum) + w) + sLo;
        return sum + low;
    }

    private static int exponent(float d) {
        return ((Float.floatToRawIntBits(d) >>> 23) & 0xff) - 0x7f;
    }

    private static float ldexp2(float d, int e) {
        return d * pow2(e >> 1) * pow2(e - (e >> 1));
    }

    private static float pow2(int q) {
        return Float.intBitsToFloat((q + 0x7f) << 23);
    }
}
