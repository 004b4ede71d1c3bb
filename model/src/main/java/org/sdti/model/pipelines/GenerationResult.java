package org.sdti.model.pipelines;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link TextToImage#generate} produced, images prompt-major ({@code i = p·K + k}), and the settings it
 * resolved (defaults filled in).
 *
 * @param images the 8-bit images
 * @param pixels {@code [N, H, W, 3]} float32 in [0, 1] before rounding to 8 bits (diffusers' output_type "np")
 * @param finalLatents {@code [N, C, h, w]}: the sampler's last latents, before division by the VAE scaling factor
 * @param sampler the sampler that ran
 * @param samplerNote why a stand-in sampler ran (the model's scheduler class is not implemented); empty otherwise
 * @param width image width in pixels
 * @param height image height in pixels
 * @param timesteps the timesteps the U-Net ran at
 */
public record GenerationResult(
        List<RgbImage> images,
        INDArray pixels,
        INDArray finalLatents,
        String sampler,
        String samplerNote,
        int width,
        int height,
        double[] timesteps) {

    public GenerationResult {
        images = List.copyOf(images);
        timesteps = timesteps.clone();
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }
}
