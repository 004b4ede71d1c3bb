package org.sdti.model.schedulers;

import java.util.SplittableRandom;

/** Where stochastic samplers get their N(0,1) draws; injected so tests can replay the reference's noise. */
@FunctionalInterface
public interface NoiseSource {
    /** {@code n} independent standard normal values. */
    float[] gaussian(int n);

    /** A reproducible source: the same seed gives the same sequence of draws. */
    static NoiseSource seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return n -> {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = (float) random.nextGaussian();
            }
            return out;
        };
    }
}
