package org.sdti.model.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.TestData;

/**
 * The whole pipeline against diffusers 0.25.1's StableDiffusionPipeline on the tiny fixture (goldens
 * pipeline.safetensors): the golden init_latents, "a photo of a cat", negative "", guidance 7.5, the model's DDIM
 * scheduler; every U-Net output and latent on the way, the final latents and the image.
 */
class TextToImageParityTest {
    static final double LATENT_TOL = 1e-4;
    static final double IMAGE_TOL = 1.0 / 255;
    static final String PROMPT = "a photo of a cat";
    static final String TI_PROMPT = "a photo of a <joe-bruin>";

    static StableDiffusion model;
    static TextToImage pipeline;
    static SafeTensorsFile goldens;

    @BeforeAll
    static void load() throws IOException {
        model = StableDiffusion.load(ModelFolder.open(TestData.tinyModel().toString()));
        pipeline = new TextToImage(model);
        goldens = SafeTensorsFile.open(TestData.goldens("pipeline.safetensors"));
    }

    @AfterAll
    static void close() throws IOException {
        goldens.close();
        model.close();
    }

    static INDArray golden(String name) throws IOException {
        return Nd4j.create(goldens.floats(name), goldens.info(name).shape(), 'c');
    }

    static TokenEmbeddings joeBruin() throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(TestData.goldens("learned_embeds.safetensors"))) {
            return DiffusersEmbeddingFile.read(f);
        }
    }

    static double maxAbs(float[] a, float[] b) {
        assertEquals(b.length, a.length, "length");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    static double check(String what, float[] actual, float[] expected, double tol) {
        double err = maxAbs(actual, expected);
        System.out.printf("%-36s max abs err %.3e%n", what, err);
        assertTrue(err <= tol, what + ": max abs error " + err + " > " + tol);
        return err;
    }

    @Test
    void promptEmbeddingsEqualTheReference() throws IOException {
        PromptEncoder enc = PromptEncoder.of(model, List.of());
        check("prompt_embeds", enc.encode(List.of(PROMPT)).data().asFloat(),
                goldens.floats("prompt_embeds"), 1e-5);
        check("negative_prompt_embeds", enc.encode(List.of("")).data().asFloat(),
                goldens.floats("negative_prompt_embeds"), 1e-5);
        // one batch for both, as the pipeline encodes them
        INDArray both = enc.encodeEach(List.of("", PROMPT));
        check("[negative, prompt] in one batch", both.data().asFloat(),
                concat(goldens.floats("negative_prompt_embeds"), goldens.floats("prompt_embeds")), 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim4", "ddim10", "ti_ddim4"})
    void imageAndLatentsEqualTheReference(String run) throws IOException {
        long[] timesteps = goldens.longs(run + ".timesteps");
        int steps = timesteps.length;
        boolean ti = run.startsWith("ti_");
        GenerationRequest request = GenerationRequest.of(ti ? TI_PROMPT : PROMPT)
                .withSteps(steps)
                .withGuidance(7.5)
                .withInitialLatents(golden("init_latents"))
                .withEmbeddings(ti ? List.of(joeBruin()) : List.of());
        List<float[]> unetOut = new ArrayList<>();
        List<float[]> latents = new ArrayList<>();
        GenerationResult r = pipeline.generate(request, s -> {
            unetOut.add(s.unetOutput().clone());
            latents.add(s.latents().clone());
        });
        assertEquals("ddim", r.sampler());
        assertEquals("", r.samplerNote());
        assertArrayEquals(Arrays.stream(timesteps).asDoubleStream().toArray(), r.timesteps());
        float[] goldenUnet = goldens.floats(run + ".unet_out");
        float[] goldenLatents = goldens.floats(run + ".latents");
        int perUnet = goldenUnet.length / steps;
        int perLatent = goldenLatents.length / steps;
        double unetErr = 0;
        double stepErr = 0;
        for (int i = 0; i < steps; i++) {
            unetErr = Math.max(unetErr, maxAbs(unetOut.get(i),
                    Arrays.copyOfRange(goldenUnet, i * perUnet, (i + 1) * perUnet)));
            stepErr = Math.max(stepErr, maxAbs(latents.get(i),
                    Arrays.copyOfRange(goldenLatents, i * perLatent, (i + 1) * perLatent)));
        }
        System.out.printf("%-36s max abs err %.3e%n", run + ".unet_out (all steps)", unetErr);
        System.out.printf("%-36s max abs err %.3e%n", run + ".latents (all steps)", stepErr);
        assertTrue(unetErr <= LATENT_TOL, "unet_out " + unetErr);
        assertTrue(stepErr <= LATENT_TOL, "latents " + stepErr);
        check(run + ".final_latents", r.finalLatents().data().asFloat(), goldens.floats(run + ".final_latents"),
                LATENT_TOL);
        assertArrayEquals(new long[] {1, 16, 16, 3}, r.pixels().shape());
        float[] image = goldens.floats(run + ".image");
        check(run + ".image (float, [0,1])", r.pixels().data().asFloat(), image, IMAGE_TOL);
        // the 8-bit image is the golden's, rounded as numpy_to_pil does, within one level
        RgbImage rgb = r.images().get(0);
        int worst = 0;
        for (int i = 0; i < image.length; i++) {
            int expected = (int) Math.rint(image[i] * 255f);
            worst = Math.max(worst, Math.abs((rgb.rgb()[i] & 0xff) - expected));
        }
        System.out.printf("%-36s max abs err %d/255%n", run + ".image (uint8)", worst);
        assertTrue(worst <= 1, "uint8 error " + worst);
    }

    static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
