package org.sdti.model.schedulers;

/**
 * Per-call sampler settings that are not part of the model's scheduler config.
 *
 * @param eta DDIM's stochasticity (0 = deterministic DDIM, 1 = DDPM-like ancestral sampling); ignored by others
 */
public record SamplerOptions(double eta) {
    public static final SamplerOptions DEFAULTS = new SamplerOptions(0.0);

    public SamplerOptions {
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
        }
    }

    public SamplerOptions withEta(double newEta) {
        return new SamplerOptions(newEta);
    }
}
