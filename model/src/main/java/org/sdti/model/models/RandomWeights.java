package org.sdti.model.models;

import java.util.SplittableRandom;

/**
 * Seeded random weights for a layout, drawn as PyTorch initialises fresh modules (so activations keep sensible
 * scales): Linear/Conv weights and biases uniform in ±1/√fan_in, norm scales 1 and shifts 0, embeddings N(0, 0.02²).
 * Each tensor has its own stream keyed by (seed, name), so values do not depend on the order tensors are drawn in.
 */
public final class RandomWeights {
    /** Standard deviation of embedding tables (PyTorch's CLIP initialisation). */
    public static final double EMBEDDING_STD = 0.02;
    private final WeightLayout layout;
    private final long seed;

    public RandomWeights(WeightLayout layout, long seed) {
        this.layout = layout;
        this.seed = seed;
    }

    public float[] tensor(String name) {
        long[] shape = layout.shape(name);
        int n = Math.toIntExact(numel(shape));
        float[] out = new float[n];
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xC2B2AE3D27D4EB4FL);
        if (name.contains("embedding")) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) (gaussian(rng) * EMBEDDING_STD);
            }
            return out;
        }
        long[] weightShape = name.endsWith(".bias") ? weightShapeOf(name) : shape;
        if (weightShape == null || weightShape.length == 1) {
            // norm affine parameters (or a bias without a matching weight)
            java.util.Arrays.fill(out, name.endsWith(".weight") ? 1f : 0f);
            return out;
        }
        long fanIn = 1;
        for (int i = 1; i < weightShape.length; i++) {
            fanIn *= weightShape[i];
        }
        double bound = 1.0 / Math.sqrt(fanIn);
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return out;
    }

    private long[] weightShapeOf(String biasName) {
        String w = biasName.substring(0, biasName.length() - ".bias".length()) + ".weight";
        return layout.contains(w) ? layout.shape(w) : null;
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller; one value per call keeps each draw a pure function of the stream position
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
