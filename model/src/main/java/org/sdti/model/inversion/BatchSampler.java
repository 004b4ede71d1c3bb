package org.sdti.model.inversion;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws the micro-batches of one training step from a concept's data, deterministically from
 * {@code (seed, concept, replica, step)}.
 *
 * <p>Examples are visited in shuffled passes ("epochs"): sample {@code k} of a replica (counting
 * {@code step · accumulation · batch + pass · batch + b}) is example {@code perm_e[k mod n]} of pass
 * {@code e = k / n}, each pass shuffled by its own stream. The reference shuffles images × repeats and flips each
 * draw with p = 0.5; with flips stored as examples, a pass shows every picture once as is and once mirrored.
 * Then, per sample and in this order: a prompt uniformly from the example's prompts, a timestep uniformly in
 * {@code [0, num_train_timesteps)}, ε for the latent sample, the noise.
 */
public final class BatchSampler {
    private final int batchSize;
    private final int accumulation;
    private final int numTrainTimesteps;

    public BatchSampler(int batchSize, int accumulation, int numTrainTimesteps) {
        if (batchSize < 1 || accumulation < 1 || numTrainTimesteps < 1) {
            throw new IllegalArgumentException("batch, accumulation and timesteps must be positive");
        }
        this.batchSize = batchSize;
        this.accumulation = accumulation;
        this.numTrainTimesteps = numTrainTimesteps;
    }

    public static BatchSampler of(TrainingConfig cfg, int numTrainTimesteps) {
        return new BatchSampler(cfg.batchSize(), cfg.gradientAccumulation(), numTrainTimesteps);
    }

    /** The {@code accumulation} micro-batches of step {@code step} (0-based) of one replica. */
    public List<MicroBatch> draw(ConceptData data, long seed, int replica, long step) {
        StepRandom rng = StepRandom.forStep(seed, data.concept(), replica, step);
        int n = data.examples().size();
        int size = data.latentSize();
        float scale = (float) data.scalingFactor();
        long first = step * accumulation * batchSize;
        long epoch = -1;
        int[] order = null;
        List<MicroBatch> out = new ArrayList<>(accumulation);
        for (int a = 0; a < accumulation; a++) {
            long[][] ids = new long[batchSize][];
            float[] latents = new float[batchSize * size];
            float[] noise = new float[batchSize * size];
            long[] timesteps = new long[batchSize];
            for (int b = 0; b < batchSize; b++) {
                long k = first + (long) a * batchSize + b;
                if (k / n != epoch) {
                    epoch = k / n;
                    order = StepRandom.forEpoch(seed, data.concept(), replica, epoch).permutation(n);
                }
                LatentExample ex = data.examples().get(order[(int) (k % n)]);
                int[] prompt = ex.prompts().get(rng.nextInt(ex.prompts().size()));
                ids[b] = toLongs(prompt);
                timesteps[b] = rng.nextInt(numTrainTimesteps);
                ex.sample(rng.gaussian(size), scale, latents, b * size);
                System.arraycopy(rng.gaussian(size), 0, noise, b * size, size);
            }
            out.add(new MicroBatch(ids, latents, noise, timesteps));
        }
        return out;
    }

    private static long[] toLongs(int[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }
}
