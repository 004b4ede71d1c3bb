package org.sdti.model.pipelines;

/** Called after every sampler step of {@link TextToImage#generate} (progress display, tests, previews). */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = step -> { };

    void onStep(Step step);

    /**
     * One finished step. The arrays are the pipeline's own: read them during the call, do not keep or modify them.
     *
     * @param index 0-based step index
     * @param steps total number of steps
     * @param timestep the timestep the U-Net ran at
     * @param unetOutput the raw U-Net output {@code [2N or N, C, h, w]} flat: with guidance the unconditional half
     *     first, then the conditional half
     * @param latents the latents after the step {@code [N, C, h, w]} flat
     */
    record Step(int index, int steps, double timestep, float[] unetOutput, float[] latents) {}
}
