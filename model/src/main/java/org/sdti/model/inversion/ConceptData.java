package org.sdti.model.inversion;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Everything a concept trains on: its examples (latent Gaussians and prompt ids; flipped variants are examples of
 * their own) and the latent geometry. Immutable and serialisable, so a Spark job can ship it to executors.
 *
 * @param concept       names the concept; it keys the random streams ({@link StepRandom}), so it must stay the same
 *                      across a resumed run
 * @param channels      latent channels (4 for SD 2)
 * @param height        latent height (image height / the VAE's downscale factor)
 * @param width         latent width
 * @param scalingFactor the VAE's {@code scaling_factor}: sampled latents are multiplied by it
 * @param examples      at least one
 */
public record ConceptData(String concept, int channels, int height, int width, double scalingFactor,
                          List<LatentExample> examples) implements Serializable {
    public ConceptData {
        Objects.requireNonNull(concept, "concept");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("bad latent shape " + channels + "x" + height + "x" + width);
        }
        if (!(scalingFactor > 0)) {
            throw new IllegalArgumentException("the scaling factor must be positive: " + scalingFactor);
        }
        examples = List.copyOf(examples);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("concept '" + concept + "' has no examples");
        }
        int size = channels * height * width;
        int length = examples.get(0).promptLength();
        for (LatentExample e : examples) {
            if (e.size() != size) {
                throw new IllegalArgumentException("an example of concept '" + concept + "' has "
                        + e.size() + " latent values, expected " + channels + "x" + height + "x" + width);
            }
            if (e.promptLength() != length) {
                throw new IllegalArgumentException("the prompts of concept '" + concept
                        + "' do not all have the same number of ids");
            }
        }
    }

    /** Values per latent: {@code channels·height·width}. */
    public int latentSize() {
        return channels * height * width;
    }

    public int promptLength() {
        return examples.get(0).promptLength();
    }
}
