package org.sdti.model.inversion;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One training example as the trainer sees it: the VAE's diagonal Gaussian of its image (computed once; every draw
 * samples {@code mean + std·ε} from it, as the reference's per-step re-encoding does) and the token ids of the
 * prompts one of which is drawn for it each time it is used.
 *
 * @param mean    {@code [C·h·w]} latent mean, before the VAE scaling factor
 * @param std     {@code [C·h·w]} latent standard deviation, before the scaling factor
 * @param prompts candidate prompts, each a row of ids as the text encoder takes them (77 for CLIP)
 */
public record LatentExample(float[] mean, float[] std, List<int[]> prompts) implements Serializable {
    public LatentExample {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("latent mean and std need the same positive length, not "
                    + mean.length + " and " + std.length);
        }
        if (prompts == null || prompts.isEmpty()) {
            throw new IllegalArgumentException("an example needs at least one prompt");
        }
        int length = prompts.get(0).length;
        for (int[] p : prompts) {
            if (p.length != length || length == 0) {
                throw new IllegalArgumentException("every prompt needs the same positive number of ids");
            }
        }
        mean = mean.clone();
        std = std.clone();
        // the lists are shared between examples that train on the same templates; the rows are never written
        prompts = List.copyOf(prompts);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Values per latent. */
    public int size() {
        return mean.length;
    }

    /** Ids per prompt row. */
    public int promptLength() {
        return prompts.get(0).length;
    }

    /** {@code (mean + std·eps)·scale} into {@code out} at {@code offset}, in float32 as torch computes it. */
    void sample(float[] eps, float scale, float[] out, int offset) {
        for (int i = 0; i < mean.length; i++) {
            float z = mean[i] + std[i] * eps[i];
            out[offset + i] = z * scale;
        }
    }
}
