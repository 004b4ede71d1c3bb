package org.sdti.model.pipelines;

import org.sdti.model.config.UNetConfig;
import org.sdti.model.config.VaeConfig;

/**
 * The image and latent sizes of a request, resolved and checked from the configs alone, so that callers can
 * reject a bad request before loading any weights.
 *
 * @param width image width in pixels
 * @param height image height in pixels
 * @param channels latent channels
 * @param latentHeight latent rows ({@code height / vaeFactor})
 * @param latentWidth latent columns ({@code width / vaeFactor})
 */
public record ImageGeometry(int width, int height, int channels, int latentHeight, int latentWidth) {
    /**
     * The cap on an image's width and height in pixels, five times SD 2.1's largest native size: far past any real
     * request, and it keeps a small {@code --latents} file (whose shape sets the size when no width or height is
     * given) from asking for an image of, say, 16 x 262,144 pixels.
     */
    public static final int MAX_SIDE = 4096;

    /** Values per image in the latents. */
    public int latentSize() {
        return channels * latentHeight * latentWidth;
    }

    /**
     * The request's size: given, else the initial latents', else diffusers' default (the U-Net's sample_size × the
     * VAE factor); latents must hold one image per prompt × image, with the U-Net's channels.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public static ImageGeometry resolve(GenerationRequest r, UNetConfig unet, VaeConfig vae) {
        int f = vae.downscale();
        int width = r.width();
        int height = r.height();
        long[] s = r.initialLatentsShape();
        if (s != null) {
            if (s[0] != r.images()) {
                throw new IllegalArgumentException("the initial latents hold " + s[0] + " image(s) but the request "
                        + "makes " + r.images() + " (" + r.prompts().size() + " prompt(s) × " + r.imagesPerPrompt()
                        + " image(s) each)");
            }
            if (s[1] != unet.inChannels()) {
                throw new IllegalArgumentException("the initial latents have " + s[1] + " channels but the U-Net takes "
                        + unet.inChannels());
            }
            int lw = Math.toIntExact(s[3] * f);
            int lh = Math.toIntExact(s[2] * f);
            if ((width != 0 && width != lw) || (height != 0 && height != lh)) {
                throw new IllegalArgumentException("the initial latents [" + s[2] + ", " + s[3] + "] make " + lw + "x"
                        + lh + " images, not the " + (width == 0 ? lw : width) + "x" + (height == 0 ? lh : height)
                        + " asked for");
            }
            width = lw;
            height = lh;
        }
        int standard = unet.sampleSize() * f;
        width = width == 0 ? standard : width;
        height = height == 0 ? standard : height;
        if (width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException((s != null ? "the initial latents [" + s[2] + ", " + s[3] + "] make "
                    : "the request asks for ") + width + "x" + height + " images; width and height are capped at "
                    + MAX_SIDE + " pixels");
        }
        if (width % 8 != 0 || height % 8 != 0) { // diffusers' rule
            throw new IllegalArgumentException("width and height must be multiples of 8, not " + width + "x" + height);
        }
        int m = f * unet.downscale(); // sdti's U-Net has no odd-latent-size path
        if (width % m != 0 || height % m != 0) {
            throw new IllegalArgumentException("this model needs width and height in multiples of " + m + " (VAE factor "
                    + f + " × U-Net downscale " + unet.downscale() + "), not " + width + "x" + height);
        }
        return new ImageGeometry(width, height, unet.inChannels(), height / f, width / f);
    }
}
