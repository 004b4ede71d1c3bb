package org.sdti.model.schedulers;

/**
 * One denoising loop: the timesteps to run the U-Net at and the update from x_t to the previous (less noisy)
 * sample. Tensors are flat float32 arrays of any shape (the whole batch; all samples share the step). An instance
 * holds one loop's state (DPM-Solver remembers earlier model outputs), so create a fresh one per image batch with
 * {@link Samplers} and call {@link #step} for step indices 0, 1, ... in order.
 *
 * <pre>
 * x = x_T * initNoiseSigma()
 * for i in 0 .. steps()-1:
 *     out = unet(scaleModelInput(x, i), modelTimestep(i), ...)
 *     x = step(out, i, x, noise).prevSample()
 * </pre>
 */
public interface Sampler {
    /** The name {@link Samplers#create} knows this sampler by, e.g. {@code "dpmpp-2m-karras"}. */
    String name();

    /** Number of U-Net evaluations (the length of {@link #timesteps()}). */
    default int steps() {
        return timesteps().length;
    }

    /**
     * The timestep of each step, descending. Integral for DDIM, DDPM and DPM-Solver; Euler's are float32 values
     * (e.g. 946.42108) because it interpolates between training timesteps.
     */
    double[] timesteps();

    /** The timestep value handed to the U-Net at step {@code i} (its time embedding takes float32). */
    default float modelTimestep(int i) {
        return (float) timesteps()[i];
    }

    /** Factor for the initial Gaussian noise (1 for variance-preserving samplers, max sigma-ish for Euler). */
    default float initNoiseSigma() {
        return 1f;
    }

    /**
     * The U-Net input for step {@code i}: {@code x} itself (the same array) except for Euler, which returns a new
     * array divided by sqrt(sigma^2+1).
     */
    default float[] scaleModelInput(float[] x, int stepIndex) {
        return x;
    }

    /** Integral timesteps as the {@link #timesteps()} doubles. */
    static double[] asDoubles(long[] timesteps) {
        double[] t = new double[timesteps.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = timesteps[i];
        }
        return t;
    }

    /** True when {@link #step} draws from its {@link NoiseSource} (DDPM, DDIM with eta > 0). */
    boolean isStochastic();

    /**
     * Advances from {@code x} (the sample at step {@code stepIndex}) given the U-Net output for it.
     *
     * @param noise source of N(0,1) draws; may be null when {@link #isStochastic()} is false
     */
    StepResult step(float[] modelOutput, int stepIndex, float[] x, NoiseSource noise);
}
