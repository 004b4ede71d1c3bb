package org.sdti.model.pipelines;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sdti.model.schedulers.SamplerOptions;

/**
 * What {@link TextToImage#generate} renders; immutable (the latents are copied). Build with {@link #of} and the
 * {@code with...} methods.
 *
 * @param prompts one or more prompts; each gives {@code imagesPerPrompt} images, prompt-major
 * @param negativePrompts empty (the empty prompt for all), one for all prompts, or one per prompt
 * @param imagesPerPrompt images per prompt (K); the U-Net runs all {@code N = prompts·K} images in one batch
 * @param embeddings learned tokens to add to the tokenizer and text encoder for this call
 * @param sampler a {@link org.sdti.model.schedulers.Samplers} name, or null for the model's own scheduler class
 * @param steps sampler steps (U-Net evaluations)
 * @param guidance classifier-free guidance scale; at most 1 turns guidance off (the U-Net batch is then N)
 * @param samplerOptions DDIM's eta
 * @param seed drives {@link SeededNoise}: image {@code i} uses {@code seed + i}
 * @param initialLatents {@code [N, C, h, w]} N(0,1) noise to start from instead of the seed's (multiplied by the
 *     sampler's initial sigma, as diffusers does); null to draw it from the seed
 * @param width image width in pixels, 0 for the model's default (or the latents' size)
 * @param height image height in pixels, 0 for the model's default (or the latents' size)
 */
public record GenerationRequest(
        List<String> prompts,
        List<String> negativePrompts,
        int imagesPerPrompt,
        List<TokenEmbeddings> embeddings,
        String sampler,
        int steps,
        double guidance,
        SamplerOptions samplerOptions,
        long seed,
        INDArray initialLatents,
        int width,
        int height) {

    /** diffusers' StableDiffusionPipeline defaults. */
    public static final int DEFAULT_STEPS = 50;
    public static final double DEFAULT_GUIDANCE = 7.5;

    public GenerationRequest {
        prompts = List.copyOf(prompts);
        negativePrompts = List.copyOf(negativePrompts);
        embeddings = List.copyOf(embeddings);
        samplerOptions = samplerOptions == null ? SamplerOptions.DEFAULTS : samplerOptions;
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompt to generate from");
        }
        if (negativePrompts.size() > 1 && negativePrompts.size() != prompts.size()) {
            throw new IllegalArgumentException(negativePrompts.size() + " negative prompts for " + prompts.size()
                    + " prompts: give none, one for all, or one per prompt");
        }
        if (imagesPerPrompt < 1) {
            throw new IllegalArgumentException("images per prompt must be at least 1, not " + imagesPerPrompt);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, not " + steps);
        }
        if (!Double.isFinite(guidance)) {
            throw new IllegalArgumentException("guidance must be a finite number, not " + guidance);
        }
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("image size must be positive, not " + width + "x" + height);
        }
        if (initialLatents != null) {
            if (initialLatents.rank() != 4) {
                throw new IllegalArgumentException("initial latents must be [N, C, h, w], not "
                        + Arrays.toString(initialLatents.shape()));
            }
            initialLatents = initialLatents.castTo(DataType.FLOAT).dup('c');
        }
    }

    /** Defaults: empty negative prompt, one image each, the model's sampler, 50 steps, guidance 7.5, a random seed. */
    public static GenerationRequest of(String... prompts) {
        return new GenerationRequest(List.of(prompts), List.of(), 1, List.of(), null, DEFAULT_STEPS,
                DEFAULT_GUIDANCE, SamplerOptions.DEFAULTS, ThreadLocalRandom.current().nextInt() & 0x7fffffffL, null,
                0, 0);
    }

    /** Number of images (N = prompts × images per prompt). */
    public int images() {
        return prompts.size() * imagesPerPrompt;
    }

    /** The negative prompt of prompt {@code p}. */
    public String negativePrompt(int p) {
        return negativePrompts.isEmpty() ? "" : negativePrompts.get(negativePrompts.size() == 1 ? 0 : p);
    }

    /** The seed whose stream image {@code i} draws from. */
    public long imageSeed(int i) {
        return seed + i;
    }

    /** A copy of the initial latents, or null. */
    @Override
    public INDArray initialLatents() {
        return initialLatents == null ? null : initialLatents.dup();
    }

    /** The initial latents' shape {@code [N, C, h, w]}, or null. */
    public long[] initialLatentsShape() {
        return initialLatents == null ? null : initialLatents.shape();
    }

    /** The initial latents, row-major, as a new array (null when there are none). */
    float[] initialLatentValues() {
        return initialLatents == null ? null : initialLatents.data().asFloat();
    }

    /** True when both guidance halves run (diffusers: {@code guidance_scale > 1}). */
    public boolean guided() {
        return guidance > 1.0;
    }

    public GenerationRequest withPrompts(List<String> p) {
        return new GenerationRequest(p, negativePrompts, imagesPerPrompt, embeddings, sampler, steps, guidance,
                samplerOptions, seed, initialLatents, width, height);
    }

    public GenerationRequest withNegativePrompts(List<String> n) {
        return new GenerationRequest(prompts, n, imagesPerPrompt, embeddings, sampler, steps, guidance,
                samplerOptions, seed, initialLatents, width, height);
    }

    public GenerationRequest withNegativePrompt(String n) {
        return withNegativePrompts(n == null ? List.of() : List.of(n));
    }

    public GenerationRequest withImagesPerPrompt(int k) {
        return new GenerationRequest(prompts, negativePrompts, k, embeddings, sampler, steps, guidance,
                samplerOptions, seed, initialLatents, width, height);
    }

    public GenerationRequest withEmbeddings(List<TokenEmbeddings> e) {
        return new GenerationRequest(prompts, negativePrompts, imagesPerPrompt, e, sampler, steps, guidance,
                samplerOptions, seed, initialLatents, width, height);
    }

    public GenerationRequest withSampler(String name, int n) {
        return new GenerationRequest(prompts, negativePrompts, imagesPerPrompt, embeddings, name, n, guidance,
                samplerOptions, seed, initialLatents, width, height);
    }

    public GenerationRequest withSteps(int n) {
        return withSampler(sampler, n);
    }

    public GenerationRequest withGuidance(double g) {
        return new GenerationRequest(prompts, negativePrompts, imagesPerPrompt, embeddings, sampler, steps, g,
                samplerOptions, seed, initialLatents, width, height);
    }

    public GenerationRequest withSamplerOptions(SamplerOptions o) {
        return new GenerationRequest(prompts, negativePrompts, imagesPerPrompt, embeddings, sampler, steps, guidance,
                o, seed, initialLatents, width, height);
    }

    public GenerationRequest withSeed(long s) {
        return new GenerationRequest(prompts, negativePrompts, imagesPerPrompt, embeddings, sampler, steps, guidance,
                samplerOptions, s, initialLatents, width, height);
    }

    public GenerationRequest withInitialLatents(INDArray latents) {
        return new GenerationRequest(prompts, negativePrompts, imagesPerPrompt, embeddings, sampler, steps, guidance,
                samplerOptions, seed, latents, width, height);
    }

    public GenerationRequest withSize(int w, int h) {
        return new GenerationRequest(prompts, negativePrompts, imagesPerPrompt, embeddings, sampler, steps, guidance,
                samplerOptions, seed, initialLatents, w, h);
    }
}
