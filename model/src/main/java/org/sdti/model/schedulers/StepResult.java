package org.sdti.model.schedulers;

/**
 * What one sampler step produces: the next loop sample and the model's current estimate of the clean sample
 * (DPM-Solver's is its data prediction, which diffusers does not return but computes the same way). The arrays are
 * new and belong to the caller.
 */
public record StepResult(float[] prevSample, float[] predOriginalSample) {}
