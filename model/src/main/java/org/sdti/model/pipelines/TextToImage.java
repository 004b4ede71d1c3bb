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
 * (hundreds of MB per image at 512 px) without costing time. Holds no per-call state: every call builds its own
 * sampler, noise streams and prompt encoder.
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
        ImageGeometry geometry = ImageGeometry.resolve(request, model.unet().config(), model.vae().config());
        int c = geometry.channels();
        int h = geometry.latentHeight();
        int w = geometry.latentWidth();
        int per = geometry.latentSize();

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

        return decode(x, n, geometry, sampler.name(), choice == null ? "" : choice.note(), timesteps);
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

    private GenerationResult decode(float[] x, int n, ImageGeometry g, String sampler, String note,
                                    double[] timesteps) {
        int c = g.channels();
        int h = g.latentHeight();
        int w = g.latentWidth();
        int width = g.width();
        int height = g.height();
        int per = g.latentSize();
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
}
