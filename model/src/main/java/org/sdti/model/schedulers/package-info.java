/**
 * Noise schedules and samplers equal to diffusers 0.25.1: {@link org.sdti.model.schedulers.NoiseSchedule} (betas,
 * alphas_cumprod, add_noise, v target) for training, and {@link org.sdti.model.schedulers.Sampler}s (DDIM, DDPM,
 * Euler discrete, DPM-Solver++ 2M with or without Karras sigmas) for generation, built by
 * {@link org.sdti.model.schedulers.Samplers}. No ND4J here: tensors are flat float32 arrays.
 *
 * <p>Precision: every value is float32 produced by the same operation sequence as the reference (torch 1.13 CPU
 * kernels and numpy 1.24 float64 grids), so results are bit-identical to the reference on the fixture goldens, except DPM-Solver,
 * whose exp/log are correctly rounded here while torch uses a 1-ulp vector library (a few ulps of drift). The places where that takes more than plain Java float arithmetic are isolated: torch's vectorised
 * float32 linspace ({@code TorchFloat}), its double-accumulated cumprod, and
 * numpy's linspace/arange/interp/round ({@code Numpy}).
 */
package org.sdti.model.schedulers;
