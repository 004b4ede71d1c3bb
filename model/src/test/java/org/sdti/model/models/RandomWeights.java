package org.sdti.model.models;

import java.util.SplittableRandom;
import org.sdti.model.models.nn.UNetOps;

/**
 * Seeded random weights in PyTorch layout for any {@link WeightLayout}, scaled like PyTorch's default init
 * (uniform ±1/√fan_in) so activations stay finite through deep networks; norm gains near 1.
 */
final class RandomWeights implements UNetOps.Params.Source {
    private final WeightLayout layout;
    private final long seed;

    RandomWeights(WeightLayout layout, long seed) {
        this.layout = layout;
        this.seed = seed;
    }

    @Override
    public float[] floats(String name) {
        long[] shape = layout.shape(name);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ name.hashCode() * 0x9E3779B97F4A7C15L);
        float[] out = new float[Math.toIntExact(n)];
        boolean gain = shape.length == 1 && name.endsWith(".weight");
        double bound = shape.length == 1 ? 0.1 : 1.0 / Math.sqrt((double) n / shape[0]);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((gain ? 1.0 : 0.0) + bound * (2 * rnd.nextDouble() - 1));
        }
        return out;
    }
}
