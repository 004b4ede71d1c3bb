package org.sdti.model.inversion;

import java.util.Objects;

/**
 * The random draws of one forward/backward pass: which prompts, which (sampled, scaled) latents, which noise and
 * which timesteps. Whatever produced them (the {@link BatchSampler}, or the reference's recorded batches in the
 * parity test), {@link InversionStep} turns them into a loss and a gradient the same way.
 *
 * @param ids       {@code [B][length]} prompt ids; ids from the vocabulary size on are the new vectors
 * @param latents   {@code [B·C·h·w]} clean latents x0, already multiplied by the VAE scaling factor
 * @param noise     {@code [B·C·h·w]} N(0, 1)
 * @param timesteps {@code [B]} in {@code [0, num_train_timesteps)}
 */
public record MicroBatch(long[][] ids, float[] latents, float[] noise, long[] timesteps) {
    public MicroBatch {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(latents, "latents");
        Objects.requireNonNull(noise, "noise");
        Objects.requireNonNull(timesteps, "timesteps");
        int b = ids.length;
        if (b == 0 || timesteps.length != b || latents.length != noise.length || latents.length % b != 0) {
            throw new IllegalArgumentException("inconsistent micro-batch: " + b + " prompt rows, "
                    + timesteps.length + " timesteps, " + latents.length + " latent and " + noise.length
                    + " noise values");
        }
    }

    public int size() {
        return ids.length;
    }

    /** Latent values per sample. */
    public int perSample() {
        return latents.length / ids.length;
    }
}
