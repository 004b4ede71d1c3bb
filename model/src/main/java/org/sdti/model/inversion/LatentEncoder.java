package org.sdti.model.inversion;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.models.Vae;

/**
 * Encodes training images once to the VAE's latent Gaussians (mean and std, before the scaling factor), the
 * trainer's only use of the VAE encoder. One image per call keeps the encoder's activations small (at 512 px a
 * single one is 128×512×512 floats).
 */
public final class LatentEncoder {
    private final Vae vae;

    public LatentEncoder(Vae vae) {
        this.vae = vae;
    }

    /** The latent channels, height and width of a {@code size × size} image. */
    public int[] latentShape(int size) {
        int f = vae.config().downscale();
        if (size % f != 0) {
            throw new IllegalArgumentException("image size " + size + " is not a multiple of the VAE's factor " + f);
        }
        return new int[] {vae.config().latentChannels(), size / f, size / f};
    }

    /**
     * @param chw     the image as CHW float32 in [-1, 1], {@code 3 × size × size}
     * @param prompts the example's candidate prompt ids
     */
    public LatentExample encode(float[] chw, int size, List<int[]> prompts) {
        if (chw.length != 3 * size * size) {
            throw new IllegalArgumentException("expected 3x" + size + "x" + size + " values, got " + chw.length);
        }
        Vae.LatentDist d = vae.encode(Nd4j.create(chw, new long[] {1, 3, size, size}, 'c'));
        return new LatentExample(flat(d.mean()), flat(d.std()), prompts);
    }

    private static float[] flat(INDArray a) {
        return a.reshape(a.length()).toFloatVector();
    }

    /** The data of a concept from its encoded examples. */
    public ConceptData concept(String concept, int size, List<LatentExample> examples) {
        int[] s = latentShape(size);
        return new ConceptData(concept, s[0], s[1], s[2], vae.scalingFactor(), examples);
    }
}
