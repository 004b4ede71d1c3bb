package org.sdti.jobs.generate;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sdti.model.pipelines.GenerationRequest;
import org.sdti.model.pipelines.TokenEmbeddings;
import org.sdti.model.schedulers.SamplerOptions;

/**
 * The one way both generate forms ({@code sdti generate} and the generate job) turn their settings into a
 * {@link GenerationRequest}, so that the same settings give the same images.
 */
public final class Requests {
    private Requests() {}

    /**
     * @param sampler null for the model's own
     * @param initial initial noise {@code [N, C, h, w]}, or null to draw it from the seed
     * @param width   null for the model's default (or the latents' size); likewise {@code height}
     */
    public static GenerationRequest of(List<String> prompts, String negativePrompt, int imagesPerPrompt,
                                       List<TokenEmbeddings> embeddings, String sampler, int steps, double guidance,
                                       double eta, long seed, INDArray initial, Integer width, Integer height) {
        return GenerationRequest.of(prompts.toArray(String[]::new))
                .withNegativePrompt(negativePrompt)
                .withImagesPerPrompt(imagesPerPrompt)
                .withEmbeddings(embeddings)
                .withSampler(sampler, steps)
                .withGuidance(guidance)
                .withSamplerOptions(new SamplerOptions(eta))
                .withSeed(seed)
                .withInitialLatents(initial)
                .withSize(width == null ? 0 : width, height == null ? 0 : height);
    }
}
