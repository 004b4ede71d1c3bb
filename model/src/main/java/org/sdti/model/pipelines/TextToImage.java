package org.sdti.model.pipelines;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.schedulers.NoiseSource;
import org.sdti.model.schedulers.Sampler;
import org.sdti.model.schedulers.SamplerChoice;
import org.sdti.model.schedulers.Samplers;
import org.sdti.model.schedulers.StepResult;

/**
 * Text to image, as diffusers 0.25.1's {@code StableDiffusionPipeline}: encode the prompts and (with guidance)
 * the negative prompts; start from seeded or given noise times the sampler's initial sigma; at every step run the
 * U-Net once on {@code [uncond × N, cond × N]} and combine {@code uncond + g·(cond − uncond)}; let the sampler
 * step; decode {@code latents / scaling_factor} with the VAE; convert to 8-bit RGB.
 *
 * <p>Wiring only: the networks, tokenizer and samplers do the work. The U-Net sees all N images (every prompt ×
 * images per prompt) in one batch; its graph is compiled on the first call per latent size and reused. Latents live
 * as plain float arrays between U-Net calls (the samplers are pure Java), so a step costs one U-Net call plus
 * O(latent size) Java work. The VAE decodes one image at a time, which bounds the decoder's activation memory
 * (hundreds of MB per image at 512 px) without costing time. Thread-safe; calls on one model are serialised per
 * graph by the networks.
 */
public final class TextToImage {
    private final StableDiffusion model;

    public TextToImage(StableDiffusion model) {
        this.model = model;
    }

    public StableDiffusion model() {
        return model;
    }

    /** The sampler used when a request names none: the model's scheduler class, or a stand-in with a note. */
    public SamplerChoice defaultSampler() {
        return Samplers.choose(model.schedulerConfig());
    }

    public GenerationResult generate(GenerationRequest request) {
        return generate(request, StepListener.NONE);
    }

    public GenerationResult generate(GenerationRequest request, StepListener listener) {
        int n = request.images();
        int c = model.latentChannels();
        int[] size = imageSize(request);
        int width = size[0];
        int height = size[1];
        int f = model.vaeScaleFactor();
        int h = height / f;
        int w = width / f;
        int per = c * h * w;

        SamplerChoice choice = request.sampler() == null ? defaultSampler() : null;
        String samplerName = choice != null ? choice.name() : request.sampler();
        Sampler sampler = Samplers.create(samplerName, model.schedulerConfig(), request.steps(),
                request.samplerOptions());

        boolean guided = request.guided();
        INDArray context = context(PromptEncoder.of(model, request.embeddings()), request, guided);

        SeededNoise noise = new SeededNoise(request.seed(), n);
        float[] given = request.initialLatentValues();
        float[] x = given != null ? given : noise.latents(per);
        float sigma = sampler.initNoiseSigma();
        if (sigma != 1f) {
            for (int i = 0; i < x.length; i++) {
                x[i] *= sigma;
            }
        }

        NoiseSource stepNoise = sampler.isStochastic() ? noise.asNoiseSource() : null;
        int batch = guided ? 2 * n : n;
        long[] sampleShape = {batch, c, h, w};
        float g = (float) request.guidance();
        double[] timesteps = sampler.timesteps();
        for (int i = 0; i < sampler.steps(); i++) {
            float[] in = sampler.scaleModelInput(x, i);
            float[] sample = in;
            if (guided) { // the same latents for the unconditional and the conditional half
                sample = new float[2 * in.length];
                System.arraycopy(in, 0, sample, 0, in.length);
                System.arraycopy(in, 0, sample, in.length, in.length);
            }
            INDArray t = Nd4j.createFromArray(sampler.modelTimestep(i));
            INDArray out = model.unet().predict(Nd4j.create(sample, sampleShape, 'c'), t, context);
            float[] raw = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
            float[] eps = guided ? guide(raw, x.length, g) : raw;
            StepResult step = sampler.step(eps, i, x, stepNoise);
            x = step.prevSample();
            listener.onStep(new StepListener.Step(i, sampler.steps(), timesteps[i], raw, x));
        }

        return decode(x, n, c, h, w, width, height, samplerName, choice == null ? "" : choice.note(), timesteps);
    }

    /** {@code uncond + g·(cond − uncond)} in float32, as torch computes it. */
    static float[] guide(float[] raw, int n, float g) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float uncond = raw[i];
            out[i] = uncond + g * (raw[n + i] - uncond);
        }
        return out;
    }

    /** {@code [uncond × N, cond × N]} (or {@code cond × N}), prompt-major within each half. */
    private static INDArray context(PromptEncoder encoder, GenerationRequest r, boolean guided) {
        List<String> texts = new ArrayList<>();
        if (guided) {
            for (int p = 0; p < r.prompts().size(); p++) {
                for (int k = 0; k < r.imagesPerPrompt(); k++) {
                    texts.add(r.negativePrompt(p));
                }
            }
        }
        for (String prompt : r.prompts()) {
            for (int k = 0; k < r.imagesPerPrompt(); k++) {
                texts.add(prompt);
            }
        }
        return encoder.encodeEach(texts);
    }

    private GenerationResult decode(float[] x, int n, int c, int h, int w, int width, int height, String sampler,
                                    String note, double[] timesteps) {
        int per = c * h * w;
        float scale = (float) model.vae().scalingFactor();
        float[] pixels = new float[n * height * width * 3];
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] z = new float[per];
            for (int j = 0; j < per; j++) {
                z[j] = x[i * per + j] / scale;
            }
            INDArray decoded = model.vae().decode(Nd4j.create(z, new long[] {1, c, h, w}, 'c'));
            float[] hwc = Pixels.denormalize(decoded.castTo(DataType.FLOAT).dup('c').data().asFloat(), height, width);
            System.arraycopy(hwc, 0, pixels, i * hwc.length, hwc.length);
            images.add(Pixels.toRgb(hwc, height, width));
        }
        return new GenerationResult(images, Nd4j.create(pixels, new long[] {n, height, width, 3}, 'c'),
                Nd4j.create(x, new long[] {n, c, h, w}, 'c'), sampler, note, width, height, timesteps);
    }

    /** Width and height in pixels: given, taken from the latents, or the model's default; checked. */
    private int[] imageSize(GenerationRequest r) {
        int f = model.vaeScaleFactor();
        int width = r.width();
        int height = r.height();
        long[] s = r.initialLatentsShape();
        if (s != null) {
            if (s[0] != r.images()) {
                throw new IllegalArgumentException("the initial latents hold " + s[0] + " image(s) but the request "
                        + "makes " + r.images() + " (" + r.prompts().size() + " prompt(s) × " + r.imagesPerPrompt()
                        + " image(s) each)");
            }
            if (s[1] != model.latentChannels()) {
                throw new IllegalArgumentException("the initial latents have " + s[1] + " channels but the U-Net takes "
                        + model.latentChannels());
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
        width = width == 0 ? model.defaultImageSize() : width;
        height = height == 0 ? model.defaultImageSize() : height;
        checkSize(width, height);
        return new int[] {width, height};
    }

    /** diffusers' rule (multiples of 8) and this U-Net's (no odd latent sizes: multiples of {@code sizeMultiple}). */
    public void checkSize(int width, int height) {
        if (width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("width and height must be multiples of 8, not " + width + "x" + height);
        }
        int m = model.sizeMultiple();
        if (width % m != 0 || height % m != 0) {
            throw new IllegalArgumentException("this model needs width and height in multiples of " + m + " (VAE factor "
                    + model.vaeScaleFactor() + " × U-Net downscale " + model.unet().config().downscale() + "), not "
                    + width + "x" + height);
        }
    }
}
