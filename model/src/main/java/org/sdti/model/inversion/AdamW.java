package org.sdti.model.inversion;

/**
 * AdamW over the new embedding rows only (no optimizer state for the frozen vocabulary), with the arithmetic of
 * torch 1.13's single-tensor {@code AdamW}: decoupled weight decay first, then the moment updates, then
 * {@code p -= lr/bc1 · m / (sqrt(v)/sqrt(bc2) + eps)}. Scalars are computed in double and applied in float, as torch
 * does with Python scalars on float32 tensors, so the result matches the reference to the last bits.
 *
 * <p>Pure function of its inputs: {@link #step} returns the new state and leaves the old one untouched.
 */
public record AdamW(double beta1, double beta2, double eps, double weightDecay)
        implements java.io.Serializable {

    /** The reference trainer's defaults: betas 0.9/0.999, eps 1e-8, weight decay 1e-2. */
    public static AdamW defaults() {
        return new AdamW(0.9, 0.999, 1e-8, 1e-2);
    }

    /** Parameters, first and second moments and the number of steps taken; arrays are never shared. */
    public record State(float[] params, float[] m, float[] v, long step) implements java.io.Serializable {
        public State {
            params = params.clone();
            m = m.clone();
            v = v.clone();
        }

        public static State initial(float[] params) {
            return new State(params, new float[params.length], new float[params.length], 0);
        }

        @Override
        public float[] params() {
            return params.clone();
        }

        @Override
        public float[] m() {
            return m.clone();
        }

        @Override
        public float[] v() {
            return v.clone();
        }

        /** Equal when every value is bit-for-bit the same (resumed and uninterrupted runs must agree exactly). */
        @Override
        public boolean equals(Object o) {
            return o instanceof State s && step == s.step && java.util.Arrays.equals(params, s.params)
                    && java.util.Arrays.equals(m, s.m) && java.util.Arrays.equals(v, s.v);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(step, java.util.Arrays.hashCode(params), java.util.Arrays.hashCode(m),
                    java.util.Arrays.hashCode(v));
        }
    }

    /** One update with learning rate {@code lr} and gradient {@code grad}. */
    public State step(State s, float[] grad, double lr) {
        int n = s.params.length;
        if (grad.length != n) {
            throw new IllegalArgumentException("gradient has " + grad.length + " values, parameters " + n);
        }
        float[] p = s.params.clone();
        float[] m = s.m.clone();
        float[] v = s.v.clone();
        long step = s.step + 1;
        float decay = (float) (1 - lr * weightDecay);
        float b1 = (float) beta1;
        float oneMinusB1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float oneMinusB2 = (float) (1 - beta2);
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float epsF = (float) eps;
        for (int i = 0; i < n; i++) {
            p[i] = p[i] * decay;
            m[i] = m[i] * b1 + grad[i] * oneMinusB1;
            v[i] = v[i] * b2 + oneMinusB2 * grad[i] * grad[i];
            float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + epsF;
            p[i] = p[i] + (-stepSize) * (m[i] / denom);
        }
        return new State(p, m, v, step);
    }
}
