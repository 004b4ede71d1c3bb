package org.sdti.model.pipelines;

import java.util.SplittableRandom;
import org.sdti.model.schedulers.NoiseSource;

/**
 * sdti's Gaussian generator for initial latents and stochastic sampler steps. It cannot reproduce torch's
 * {@code randn} (Mersenne Twister plus torch's own normal transform), so a seed gives different images than the
 * same seed in diffusers; it is instead specified completely, so it gives the same images on every JVM:
 *
 * <ul>
 *   <li>Image {@code i} of a call (prompt-major: prompt {@code p}, image {@code k} is {@code i = p·K + k}) draws from
 *       its own stream {@code SplittableRandom(seed + i)} (SplitMix64, whose output the JDK specifies), so image
 *       {@code i} of a batch with seed {@code S} equals the single image generated with seed {@code S + i}.</li>
 *   <li>Normals come in Box–Muller pairs from two 53-bit uniforms {@code u1 ∈ (0, 1]}, {@code u2 ∈ [0, 1)}:
 *       {@code r = sqrt(−2 ln u1)}, then {@code r·cos(2πu2)} and {@code r·sin(2πu2)} (StrictMath, so no
 *       platform-dependent intrinsics), each rounded to float32.</li>
 *   <li>A stream first fills the image's initial latents (row-major {@code [C, h, w]}) unless the caller gives
 *       them; stochastic samplers (DDPM, DDIM with eta > 0) continue the same stream, one latent's worth per step.</li>
 * </ul>
 */
final class SeededNoise {
    private final Stream[] streams;

    SeededNoise(long seed, int images) {
        streams = new Stream[images];
        for (int i = 0; i < images; i++) {
            streams[i] = new Stream(seed + i);
        }
    }

    /** Initial latents for all images: {@code images × perImage} values, image-major. */
    float[] latents(int perImage) {
        float[] out = new float[streams.length * perImage];
        for (int i = 0; i < streams.length; i++) {
            streams[i].fill(out, i * perImage, perImage);
        }
        return out;
    }

    /** Step noise for a whole batch: each image's share from its own stream. */
    NoiseSource asNoiseSource() {
        return n -> {
            if (n % streams.length != 0) {
                throw new IllegalArgumentException(n + " noise values do not split over " + streams.length + " images");
            }
            int per = n / streams.length;
            float[] out = new float[n];
            for (int i = 0; i < streams.length; i++) {
                streams[i].fill(out, i * per, per);
            }
            return out;
        };
    }

    /** One image's normals; a pending second value of a Box–Muller pair is used before a new pair is drawn. */
    private static final class Stream {
        private static final double TWO_POW_M53 = 0x1.0p-53;
        private final SplittableRandom random;
        private boolean hasSpare;
        private double spare;

        Stream(long seed) {
            random = new SplittableRandom(seed);
        }

        void fill(float[] out, int from, int count) {
            for (int j = from; j < from + count; j++) {
                out[j] = (float) next();
            }
        }

        private double next() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double u1 = ((random.nextLong() >>> 11) + 1) * TWO_POW_M53;
            double u2 = (random.nextLong() >>> 11) * TWO_POW_M53;
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double angle = 2.0 * StrictMath.PI * u2;
            spare = r * StrictMath.sin(angle);
            hasSpare = true;
            return r * StrictMath.cos(angle);
        }
    }
}
