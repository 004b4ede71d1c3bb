package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.generate.GenerationInfo;
import org.sdti.jobs.generate.PngText;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.testing.TestData;

/** {@code sdti generate} on the tiny fixture: golden images, file naming, saved latents, metadata, bad input. */
class GenerateCommandTest {
    static final String MODEL = TestData.tinyModel().toString();

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** The golden init_latents in a file of their own (one tensor, not named "latents"). */
    static Path initLatents(Path dir) throws Exception {
        Path file = dir.resolve("init.safetensors");
        try (SafeTensorsFile g = SafeTensorsFile.open(TestData.goldens("pipeline.safetensors"))) {
            new SafeTensorsWriter().addFloats("init_latents", new long[] {1, 4, 8, 8}, g.floats("init_latents"))
                    .write(file);
        }
        return file;
    }

    static float[] golden(String name) throws Exception {
        try (SafeTensorsFile g = SafeTensorsFile.open(TestData.goldens("pipeline.safetensors"))) {
            return g.floats(name);
        }
    }

    /** Largest difference, in 8-bit levels, between a PNG and a golden [1, H, W, 3] image in [0, 1]. */
    static int maxLevelError(Path png, float[] image) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        int worst = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    int actual = (rgb >> (16 - 8 * c)) & 0xff;
                    float expected = image[(y * img.getWidth() + x) * 3 + c] * 255f;
                    worst = Math.max(worst, (int) Math.ceil(Math.abs(actual - expected) - 0.5));
                }
            }
        }
        return worst;
    }

    static Map<String, String> text(Path png) throws Exception {
        return PngText.read(Files.readAllBytes(png));
    }

    @Test
    void goldenLatentsGiveTheReferenceImageAndSavedLatents(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Result r = run("generate", "--model", MODEL, "--prompt", "a photo of a cat", "--latents",
                initLatents(tmp).toString(), "--steps", "4", "--guidance", "7.5", "--seed", "9", "--save-latents",
                "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(out.resolve("00000.png").toUri().toString(),
                        out.resolve("00000.latents.safetensors").toUri().toString()),
                r.out().lines().map(l -> Path.of(java.net.URI.create(l)).toUri().toString()).toList());
        assertTrue(r.err().contains("step 4/4") && r.err().contains("steps/s") && r.err().contains("ETA"), r.err());

        int levels = maxLevelError(out.resolve("00000.png"), golden("ddim4.image"));
        System.out.println("generate CLI ddim4 image: max error " + levels + "/255");
        assertTrue(levels <= 1, levels + " levels");

        try (SafeTensorsFile saved = SafeTensorsFile.open(out.resolve("00000.latents.safetensors"))) {
            assertEquals(List.of("latents"), saved.names());
            assertArrayEquals(new long[] {1, 4, 8, 8}, saved.info("latents").shape());
            float[] expected = golden("ddim4.final_latents");
            float[] actual = saved.floats("latents");
            double err = 0;
            for (int i = 0; i < expected.length; i++) {
                err = Math.max(err, Math.abs(actual[i] - expected[i]));
            }
            System.out.printf("generate CLI ddim4 saved latents: max abs err %.3e%n", err);
            assertTrue(err <= 1e-4, "latents error " + err);
            assertEquals(GenerationInfo.fromJson(saved.metadata().get("sdti")),
                    GenerationInfo.fromJson(text(out.resolve("00000.png")).get("sdti")));
        }

        GenerationInfo info = GenerationInfo.fromJson(text(out.resolve("00000.png")).get("sdti"));
        assertEquals("a photo of a cat", info.prompt());
        assertEquals("", info.negativePrompt());
        assertEquals(9, info.seed());
        assertEquals(4, info.steps());
        assertEquals(org.sdti.jobs.runtime.TaskThreads.current(), info.threadsPerTask(), "threads of this JVM's ops");
        assertTrue(info.threadsPerTask() >= 1);
        assertEquals("ddim", info.sampler());
        assertEquals(7.5, info.guidance());
        assertEquals(16, info.width());
        assertEquals(16, info.height());
        assertEquals("model", info.model());
        assertEquals(initLatents(tmp).toString(), info.initialLatents());
        assertEquals(Stream.of("text_encoder", "unet", "vae").toList(), info.modelHashes().keySet().stream()
                .sorted().toList());
        assertEquals(64, info.modelHashes().get("unet").length());
        assertTrue(text(out.resolve("00000.png")).get("parameters").contains("Steps: 4, Sampler: DDIM, CFG scale: 7.5"));
        assertFalse(Files.list(out).anyMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary files");
    }

    @Test
    void everyFileCanBeOnAnyHadoopFileSystem(@TempDir Path tmp) throws Exception {
        // nonlocal: is the local disk behind Hadoop's remote-file-system paths (ranged reads, temp name + rename)
        Path job = tmp.resolve("job.conf");
        Files.writeString(job, "sdti.hadoop { \"fs.nonlocal.impl\" = \"org.sdti.model.io.NonLocalFileSystem\" }\n");
        Path out = tmp.resolve("remote-out");
        Result r = run("generate", "--config", job.toString(), "--model", "nonlocal://" + MODEL,
                "--prompt", "a photo of a <joe-bruin>", "--embedding",
                "nonlocal://" + TestData.goldens("learned_embeds.safetensors"), "--latents",
                "nonlocal://" + initLatents(tmp), "--steps", "4", "--save-latents", "--output", "nonlocal://" + out);
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("nonlocal:" + out.resolve("00000.png"), "nonlocal:" + out.resolve("00000.latents.safetensors")),
                r.out().lines().toList());
        assertTrue(maxLevelError(out.resolve("00000.png"), golden("ti_ddim4.image")) <= 1);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("00000.latents.safetensors", "00000.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary or .crc files");
        }
    }

    @Test
    void learnedTokenGivesTheReferenceImage(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("ti");
        String embedding = TestData.goldens("learned_embeds.safetensors").toString();
        Result r = run("generate", "--model", MODEL, "--prompt", "a photo of a <joe-bruin>", "--embedding",
                embedding, "--latents", initLatents(tmp).toString(), "--steps", "4", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        int levels = maxLevelError(out.resolve("00000.png"), golden("ti_ddim4.image"));
        System.out.println("generate CLI ti_ddim4 image: max error " + levels + "/255");
        assertTrue(levels <= 1, levels + " levels");
        GenerationInfo info = GenerationInfo.fromJson(text(out.resolve("00000.png")).get("sdti"));
        assertEquals(1, info.embeddings().size());
        assertEquals("<joe-bruin>", info.embeddings().get(0).token());
        assertEquals(64, info.embeddings().get(0).sha256().length());
        assertTrue(text(out.resolve("00000.png")).get("parameters").contains("TI hashes: \"<joe-bruin>: "));
    }

    /** The same learned token saved as an AUTOMATIC1111 .pt (a torch pickle) gives the same image. */
    @Test
    void automatic1111EmbeddingGivesTheReferenceImage(@TempDir Path tmp) throws Exception {
        org.sdti.model.embeddings.LearnedEmbedding golden =
                org.sdti.model.embeddings.EmbeddingFiles.read(TestData.goldens("learned_embeds.safetensors"));
        Path pt = tmp.resolve("joe-bruin.pt");
        org.sdti.model.embeddings.EmbeddingFiles.write(golden,
                org.sdti.model.embeddings.EmbeddingFormat.A1111_PT, pt);
        Path out = tmp.resolve("a1111");
        Result r = run("generate", "--model", MODEL, "--prompt", "a photo of a <joe-bruin>", "--embedding",
                pt.toString(), "--latents", initLatents(tmp).toString(), "--steps", "4", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        int levels = maxLevelError(out.resolve("00000.png"), golden("ti_ddim4.image"));
        assertTrue(levels <= 1, levels + " levels");
    }

    @Test
    void twoPromptsTimesTwoImagesArePromptThenImage(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("grid");
        String dogs = "a dog ".repeat(40).trim(); // 80 tokens: cut to 75, with a warning
        Result r = run("generate", "--model", MODEL, "--prompt", "a photo of a cat", "--prompt", dogs,
                "--negative-prompt", "blurry", "--images-per-prompt", "2", "--steps", "2", "--seed", "40",
                "--scheduler", "euler", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("00000.png", "00001.png", "00002.png", "00003.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(r.err().contains("warning: only the first 75 of 80 tokens"), r.err());
        String[] prompts = {"a photo of a cat", "a photo of a cat", dogs, dogs};
        for (int i = 0; i < 4; i++) {
            GenerationInfo info = GenerationInfo.fromJson(text(out.resolve(String.format("%05d.png", i))).get("sdti"));
            assertEquals(prompts[i], info.prompt());
            assertEquals("blurry", info.negativePrompt());
            assertEquals(40 + i, info.seed());
            assertEquals(i, info.index());
            assertEquals("euler", info.sampler());
        }
        // image 3 alone, with its own seed, is the same picture
        Path alone = tmp.resolve("alone");
        assertEquals(0, run("generate", "--model", MODEL, "--prompt", dogs, "--negative-prompt", "blurry",
                "--steps", "2", "--seed", "43", "--scheduler", "euler", "--output", alone.toString()).code());
        assertTrue(pixelDistance(out.resolve("00003.png"), alone.resolve("00000.png")) <= 1);
    }

    static int pixelDistance(Path a, Path b) throws Exception {
        BufferedImage x = ImageIO.read(a.toFile());
        BufferedImage y = ImageIO.read(b.toFile());
        int worst = 0;
        for (int j = 0; j < x.getHeight(); j++) {
            for (int i = 0; i < x.getWidth(); i++) {
                for (int s = 0; s < 24; s += 8) {
                    worst = Math.max(worst, Math.abs(((x.getRGB(i, j) >> s) & 0xff) - ((y.getRGB(i, j) >> s) & 0xff)));
                }
            }
        }
        return worst;
    }

    static void assertBadInput(Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
    }

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path tmp) throws Exception {
        String out = tmp.resolve("out").toString();
        assertBadInput(run("generate", "--model", tmp.resolve("nowhere").toString(), "--prompt", "a cat",
                "--output", out), "nowhere", "does not exist");
        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a cat", "--width", "20", "--output", out),
                "sdti.generate.width: must be a multiple of 8, got 20");
        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a cat", "--steps", "-3", "--output", out),
                "sdti.generate.steps: must be >= 1, got -3");
        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a cat", "--scheduler", "plms", "--output", out),
                "sdti.generate.scheduler: expected null (the model's own) or one of", "dpmpp-2m-karras", "got \"plms\"");

        Path narrow = tmp.resolve("narrow.safetensors");
        new SafeTensorsWriter().addFloats("<narrow>", new long[] {1, 8}, new float[8]).write(narrow);
        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a <narrow>", "--embedding", narrow.toString(),
                "--output", out), "narrow.safetensors", "width 8", "width 16");

        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a cat", "--prompt", "a dog", "--latents",
                initLatents(tmp).toString(), "--output", out), "1 image", "makes 2");
        assertBadInput(run("generate", "--model", MODEL, "--output", out), "--prompt");
        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a cat"), "--output");
        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a cat", "--embedding",
                tmp.resolve("none.safetensors").toString(), "--output", out), "none.safetensors", "does not exist");
        Path junk = tmp.resolve("old.pt");
        Files.write(junk, new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertBadInput(run("generate", "--model", MODEL, "--prompt", "a cat", "--embedding", junk.toString(),
                "--output", out), "old.pt");
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written for bad input");
    }

    @Test
    void helpShowsTheReferenceDefaults() {
        Result r = run("generate", "--help");
        assertEquals(0, r.code(), r.err());
        Config ref = ConfigFactory.defaultReference().getConfig("sdti.generate");
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("default: " + ref.getInt("steps") + "."), help);
        assertTrue(help.contains("default: " + ref.getDouble("guidance") + "."), help);
        assertTrue(help.contains("default: " + ref.getInt("images-per-prompt") + "."), help);
        assertTrue(help.contains("default: \"" + ref.getString("negative-prompt") + "\""), help);
        for (String flag : List.of("--model", "--prompt", "--negative-prompt", "--embedding", "--scheduler",
                "--steps", "--guidance", "--seed", "--latents", "--width", "--height", "--images-per-prompt",
                "--save-latents", "--output")) {
            assertTrue(help.contains(flag), flag);
        }
    }
}
