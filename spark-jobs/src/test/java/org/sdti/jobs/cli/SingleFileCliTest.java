package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.cli.GenerateCommandTest.Result;
import org.sdti.jobs.generate.GenerationInfo;
import org.sdti.model.embeddings.CheckpointFiles;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.io.DType;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.testing.HalfPrecisionFiles;
import org.sdti.model.testing.TestData;

/**
 * {@code sdti generate} from a single-file checkpoint writes exactly what the diffusers folder writes: the same PNG
 * bytes (pixels and text: the model is identified by its weights' content, not by the file holding them) and the
 * same saved latents file.
 */
class SingleFileCliTest {
    static final Path SINGLE = TestData.path("fixtures/tiny-sd2/single-file/model.safetensors");

    static Result generate(Path out, String... model) throws Exception {
        String[] common = {"generate", "--prompt", "a photo of a cat", "--steps", "4", "--seed", "9",
                "--save-latents", "--output", out.toString()};
        String[] args = new String[common.length + model.length];
        System.arraycopy(common, 0, args, 0, common.length);
        System.arraycopy(model, 0, args, common.length, model.length);
        return GenerateCommandTest.run(args);
    }

    static void assertSameImage(Path a, Path b) throws Exception {
        for (String file : new String[] {"00000.png", "00000.latents.safetensors"}) {
            assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), file);
        }
    }

    @Test
    void aSingleFileWritesTheBytesItsFolderWrites(@TempDir Path tmp) throws Exception {
        Path folder = tmp.resolve("folder");
        Result f = generate(folder, "--model", TestData.tinyModel().toString());
        assertEquals(0, f.code(), f.err());
        Path file = tmp.resolve("file");
        Result s = generate(file, "--model", SINGLE.toString(), "--model-config", TestData.tinyModel().toString());
        assertEquals(0, s.code(), s.err());
        assertSameImage(folder, file);
        Map<String, String> text = GenerateCommandTest.text(file.resolve("00000.png"));
        GenerationInfo b = GenerationInfo.fromJson(text.get("sdti"));
        assertEquals("model", b.model(), "a checkpoint is named without its extension");
        assertEquals(3, new HashSet<>(b.modelHashes().values()).size(), "a digest per component: " + b.modelHashes());
        assertTrue(text.get("parameters").contains("Model hash: " + b.modelHashes().get("unet").substring(0, 10)
                + ", Model: model,"), text.get("parameters"));
        // and the run's own report names the file it read
        assertTrue(s.err().lines().anyMatch(l -> l.startsWith("generate: loading ") && l.endsWith("/model.safetensors")),
                s.err());

        // the same through a .ckpt and through a preset
        Path ckpt = tmp.resolve("model.ckpt");
        try (SafeTensorsFile from = SafeTensorsFile.open(SINGLE)) {
            CheckpointFiles.write(from, ckpt, null);
        }
        Path fromCkpt = tmp.resolve("ckpt");
        Result c = generate(fromCkpt, "--model", ckpt.toString(), "--model-config", "tiny");
        assertEquals(0, c.code(), c.err());
        assertSameImage(folder, fromCkpt);
    }

    @Test
    void halfPrecisionWeightsAreAnotherModel(@TempDir Path tmp) throws Exception {
        Path half = HalfPrecisionFiles.copy(SINGLE, tmp.resolve("model-f16.safetensors"), DType.F16);
        Result h = generate(tmp.resolve("half"), "--model", half.toString(), "--model-config", "tiny");
        assertEquals(0, h.code(), h.err());
        Result f = generate(tmp.resolve("full"), "--model", SINGLE.toString(), "--model-config", "tiny");
        assertEquals(0, f.code(), f.err());
        Map<String, String> a = info(tmp.resolve("half")).modelHashes();
        Map<String, String> b = info(tmp.resolve("full")).modelHashes();
        for (String component : b.keySet()) {
            assertNotEquals(b.get(component), a.get(component), component);
        }
    }

    private static GenerationInfo info(Path out) throws Exception {
        return GenerationInfo.fromJson(GenerateCommandTest.text(out.resolve("00000.png")).get("sdti"));
    }

    @Test
    void aCkptNamingOsSystemExitsTwoAndNothingRuns(@TempDir Path tmp) throws Exception {
        Path ckpt = tmp.resolve("evil.ckpt");
        try (SafeTensorsFile from = SafeTensorsFile.open(SINGLE)) {
            CheckpointFiles.write(from, ckpt, "os.system");
        }
        Path out = tmp.resolve("out");
        Result r = generate(out, "--model", ckpt.toString(), "--model-config", "tiny");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("global os.system is not allowed in a model checkpoint"), r.err());
        assertFalse(r.err().contains("step 1/"), "no denoising step ran: " + r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aSingleFileWithoutItsArchitectureExitsTwoNamingTheFlag(@TempDir Path tmp) throws Exception {
        Result r = generate(tmp.resolve("out"), "--model", SINGLE.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--model-config"), r.err());
    }

    @Test
    void trainingFromASingleFileLearnsWhatTheFolderLearns(@TempDir Path tmp) throws Exception {
        org.sdti.jobs.testing.JobFixtures.twoConcepts(tmp.resolve("images"));
        String images = tmp.resolve("images/cat").toString();
        String[] common = {"train", "--images", images, "--token", "<cat-toy>", "--init-token", "toy", "--vectors",
                "2", "--steps", "3", "--lr", "1e-2", "--seed", "7"};
        Result folder = GenerateCommandTest.run(concat(common, "--model", TestData.tinyModel().toString(),
                "--output", tmp.resolve("folder").toString()));
        assertEquals(0, folder.code(), folder.err());
        Result single = GenerateCommandTest.run(concat(common, "--model", SINGLE.toString(), "--model-config",
                TestData.tinyModel().toString(), "--output", tmp.resolve("single").toString()));
        assertEquals(0, single.code(), single.err());
        assertEquals(Files.readString(tmp.resolve("folder/loss.csv")), Files.readString(tmp.resolve("single/loss.csv")));
        assertArrayEquals(
                EmbeddingFiles.read(tmp.resolve("folder/learned_embeds.safetensors")).flat(),
                EmbeddingFiles.read(tmp.resolve("single/learned_embeds.safetensors")).flat());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
