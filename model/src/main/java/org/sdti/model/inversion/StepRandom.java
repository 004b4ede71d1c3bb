package org.sdti.model.inversion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Counter-based random streams: every draw of training is taken from a stream keyed by
 * {@code (seed, concept, replica, purpose, index)}, never from a generator carried from step to step. So the whole
 * "RNG state" of a run is its seed, its concept and the step counter; a resumed run, a retried Spark task or a
 * rerun reproduces the same draws bit for bit, whatever ran before.
 *
 * <p>Gaussians are Box–Muller pairs computed with {@link StrictMath}, whose results are specified to the bit on
 * every JVM and platform (unlike {@link Math}'s intrinsics or a JDK's {@code nextGaussian} algorithm).
 */
public final class StepRandom {
    /** Names the scheme in checkpoints, so that a future change of scheme is detected instead of silently mixed. */
    public static final String SCHEME = "sdti-splitmix64-v1";

    /** Purposes: the draws of one training step, and the example order of one pass over the examples. */
    static final long STEP = 1;
    static final long EPOCH = 2;

    private final SplittableRandom random;

    private StepRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The stream of one step's draws (example variants are ordered by {@link #forEpoch}). */
    public static StepRandom forStep(long seed, String concept, int replica, long step) {
        return new StepRandom(key(seed, concept, replica, STEP, step));
    }

    /** The stream that shuffles the examples for pass {@code epoch} over them. */
    public static StepRandom forEpoch(long seed, String concept, int replica, long epoch) {
        return new StepRandom(key(seed, concept, replica, EPOCH, epoch));
    }

    static long key(long seed, String concept, int replica, long purpose, long index) {
        long h = mix(seed);
        h = mix(h ^ conceptHash(concept));
        h = mix(h ^ replica);
        h = mix(h ^ purpose);
        return mix(h ^ index);
    }

    /** The first 8 bytes of the concept name's SHA-256: stable across JVMs, unlike {@code String.hashCode}'s reach. */
    static long conceptHash(String concept) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(concept.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xff);
            }
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** SplitMix64's finaliser after adding its golden-ratio increment. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)}. */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** {@code n} standard normal values. */
    public float[] gaussian(int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - random.nextDouble(); // (0, 1]: log stays finite
            double u2 = random.nextDouble();
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double a = 2.0 * StrictMath.PI * u2;
            out[i] = (float) (r * StrictMath.cos(a));
            if (i + 1 < n) {
                out[i + 1] = (float) (r * StrictMath.sin(a));
            }
        }
        return out;
    }

    /** A uniformly random permutation of {@code 0 .. n-1} (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
