package org.sdti.model.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.BadInputException;
import org.sdti.model.config.ConfigException;
import org.sdti.model.embeddings.CheckpointFiles;
import org.sdti.model.io.DType;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.WeightLayout;
import org.sdti.model.testing.HalfPrecisionFiles;
import org.sdti.model.testing.TestData;

/**
 * The fixture converted by diffusers' own script to the original single-file layout loads, through sdti's key
 * mapping, to exactly the tensors of the fixture's diffusers folder; the half-precision and .ckpt copies built from
 * it (SingleFiles) load to the same within half rounding, and bit for bit.
 */
class SingleFileModelTest {
    static final Configuration CONF = new Configuration();

    static Path fixtureFile() {
        return TestData.path("fixtures/tiny-sd2/single-file/model.safetensors");
    }

    static ModelSource open(Path file) throws IOException {
        return ModelSources.open(file.toString(), TestData.tinyModel().toString(), CONF);
    }

    /** Compares every parameter of every component with the folder's; returns the largest relative error. */
    static double compareWithFolder(ModelSource single, boolean exact) throws IOException {
        return compareWithFolder(single, exact ? 0 : 11);
    }

    /**
     * {@code bits}: significant bits the stored weights keep (0: exact); round-to-nearest then errs by at most
     * 2^-bits relative (float16 11, bfloat16 8), subnormal halves by their spacing 2^-24.
     */
    static double compareWithFolder(ModelSource single, int bits) throws IOException {
        boolean exact = bits == 0;
        ModelSource folder = ModelFolder.open(TestData.tinyModel().toString(), CONF);
        double worst = 0;
        for (String component : List.of(ModelSource.UNET, ModelSource.VAE, ModelSource.TEXT_ENCODER)) {
            WeightLayout layout = switch (component) {
                case ModelSource.UNET -> Layouts.unet(folder.unetConfig());
                case ModelSource.VAE -> Layouts.vae(folder.vaeConfig());
                default -> Layouts.textEncoder(folder.textEncoderConfig());
            };
            try (CheckedWeights a = CheckedWeights.check(folder.openWeights(component), layout);
                 CheckedWeights b = CheckedWeights.check(single.openWeights(component), layout)) {
                for (String name : layout.shapes().keySet()) {
                    float[] x = a.floats(name);
                    float[] y = b.floats(name);
                    if (exact) {
                        assertArrayEquals(x, y, 0f, name);
                    } else {
                        assertEquals(x.length, y.length, name);
                        for (int i = 0; i < x.length; i++) {
                            double tol = Math.max(Math.abs(x[i]) * Math.scalb(1.0, -bits), 0x1p-25);
                            assertEquals(x[i], y[i], tol, name + "[" + i + "]");
                            worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(Math.abs(x[i]), 1e-30));
                        }
                    }
                }
            }
        }
        return worst;
    }

    @Test
    void theReferenceConvertedSafetensorsLoadsBitIdenticalToTheFolder() throws IOException {
        ModelSource single = open(fixtureFile());
        assertTrue(single instanceof SingleFileModel);
        compareWithFolder(single, true);
    }

    @Test
    void everyKeyOfTheFileIsMappedOrKnownToBeUnused() throws IOException {
        // the mapping's names, from the configs, cover the file's keys exactly (the fixture has no unused keys)
        ModelSource single = open(fixtureFile());
        java.util.Set<String> mapped = new java.util.HashSet<>();
        for (String n : Layouts.unet(single.unetConfig()).shapes().keySet()) mapped.add(LdmNames.unet(n, single.unetConfig()).key());
        for (String n : Layouts.vae(single.vaeConfig()).shapes().keySet()) mapped.add(LdmNames.vae(n).key());
        for (String n : Layouts.textEncoder(single.textEncoderConfig()).shapes().keySet()) mapped.add(LdmNames.textEncoder(n).key());
        try (SafeTensorsFile f = SafeTensorsFile.open(fixtureFile())) {
            assertEquals(new java.util.TreeSet<>(f.names()), new java.util.TreeSet<>(mapped));
        }
    }

    @Test
    void aSingleFileNeedsItsArchitectureNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ModelSources.open(fixtureFile().toString(), null, CONF));
        assertTrue(e.getMessage().contains("--model-config"), e.getMessage());
        ConfigException folder = assertThrows(ConfigException.class,
                () -> ModelSources.open(TestData.tinyModel().toString(), "sd21", CONF));
        assertTrue(folder.getMessage().contains("single-file"), folder.getMessage());
    }

    @Test
    void aPresetGivesTheArchitectureAndTheBundledTokenizer() throws IOException {
        ModelSource single = ModelSources.open(fixtureFile().toString(), "tiny", CONF);
        assertEquals(32, single.unetConfig().blockOutChannels()[0]);
        assertEquals(ModelFolder.open(TestData.tinyModel().toString(), CONF).tokenizerFiles().vocabJson().length(),
                single.tokenizerFiles().vocabJson().length());
    }

    @Test
    void theWrongArchitectureIsOneErrorNamingTheStoredKeys() throws IOException {
        ModelSource single = ModelSources.open(fixtureFile().toString(), "sd21-base", CONF);
        BadInputException e = assertThrows(BadInputException.class,
                () -> CheckedWeights.check(single.openWeights(ModelSource.UNET), Layouts.unet(single.unetConfig())));
        assertTrue(e.getMessage().contains("model.diffusion_model.input_blocks.0.0.weight' has shape [32, 4, 3, 3] "
                + "but the config implies [320, 4, 3, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("(unet): 685 tensor(s) do not fit the config"), e.getMessage());
    }

    @Test
    void aFileWithoutTheLayoutIsNamedNotGuessed(@TempDir Path dir) throws IOException {
        Path other = dir.resolve("unet.safetensors");
        java.nio.file.Files.copy(TestData.tinyModel().resolve("unet/diffusion_pytorch_model.safetensors"), other);
        ModelSource single = open(other);
        BadInputException e = assertThrows(BadInputException.class, () -> single.openWeights(ModelSource.UNET));
        assertTrue(e.getMessage().contains("no tensor 'model.diffusion_model.input_blocks.0.0.weight'"), e.getMessage());
    }

    @Test
    void aCkptOfTheSameWeightsLoadsBitIdentical(@TempDir Path dir) throws IOException {
        Path ckpt = dir.resolve("model.ckpt");
        try (SafeTensorsFile f = SafeTensorsFile.open(fixtureFile())) {
            CheckpointFiles.write(f, ckpt, null);
        }
        compareWithFolder(open(ckpt), true);
    }

    @Test
    void halfPrecisionWeightsLoadWithinHalfRounding(@TempDir Path dir) throws IOException {
        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            Path file = halfFile(dir, half);
            double worst = compareWithFolder(open(file), half == DType.F16 ? 11 : 8);
            assertTrue(worst > 0, "rounding to " + half + " changed nothing: the file was not " + half);
        }
    }

    @Test
    void aCkptNamingAnUnlistedGlobalIsRefusedByName(@TempDir Path dir) throws IOException {
        for (String global : new String[] {"os.system", "builtins.eval", "subprocess.Popen"}) {
            Path ckpt = dir.resolve("evil.ckpt");
            try (SafeTensorsFile f = SafeTensorsFile.open(fixtureFile())) {
                CheckpointFiles.write(f, ckpt, global);
            }
            BadInputException e = assertThrows(BadInputException.class, () -> open(ckpt).openWeights(ModelSource.UNET));
            assertTrue(e.getMessage().contains("global " + global + " is not allowed in a model checkpoint"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedFilesAreRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path ckpt = dir.resolve("model.ckpt");
        try (SafeTensorsFile f = SafeTensorsFile.open(fixtureFile())) {
            CheckpointFiles.write(f, ckpt, null);
        }
        for (Path full : new Path[] {fixtureFile(), ckpt}) {
            byte[] bytes = Files.readAllBytes(full);
            for (int keep : new int[] {bytes.length / 2, bytes.length - 100, 10}) {
                Path cut = dir.resolve("cut-" + keep + "-" + full.getFileName());
                Files.write(cut, Arrays.copyOf(bytes, keep));
                BadInputException e = assertThrows(BadInputException.class, () -> open(cut).openWeights(ModelSource.UNET));
                assertTrue(e.getMessage().contains(cut.getFileName().toString()), e.getMessage());
            }
        }
    }

    @Test
    void aWrongShapeInTheFileIsNamedByItsKey(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.safetensors");
        String bad = "first_stage_model.decoder.mid.attn_1.q.weight";
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (SafeTensorsFile f = SafeTensorsFile.open(fixtureFile())) {
            for (String name : f.names()) {
                if (name.equals(bad)) {
                    w.addFloats(name, new long[] {32, 16, 1, 1}, new float[32 * 16]);
                } else {
                    w.copy(f, name);
                }
            }
            w.write(file);
        }
        ModelSource single = open(file);
        BadInputException e = assertThrows(BadInputException.class,
                () -> CheckedWeights.check(single.openWeights(ModelSource.VAE), Layouts.vae(single.vaeConfig())));
        assertTrue(e.getMessage().contains("(vae): 1 tensor(s) do not fit the config: tensor '" + bad
                + "' has shape [32, 16] but the config implies [32, 32]"), e.getMessage());
    }

    @Test
    void keysTheDiffusersModelDoesNotUseAreIgnoredAndAMissingOneIsNamed(@TempDir Path dir) throws IOException {
        Path extra = dir.resolve("extra.safetensors");
        Path missing = dir.resolve("missing.safetensors");
        String gone = "cond_stage_model.model.ln_final.weight";
        SafeTensorsWriter withExtra = new SafeTensorsWriter();
        SafeTensorsWriter without = new SafeTensorsWriter();
        try (SafeTensorsFile f = SafeTensorsFile.open(fixtureFile())) {
            for (String name : f.names()) {
                withExtra.copy(f, name);
                if (!name.equals(gone)) without.copy(f, name);
            }
            without.write(missing); // copies read while the file is open
            // what released SD 2.x files also hold: the tower's last block, the projection, EMA and schedule buffers
            withExtra.addFloats("cond_stage_model.model.transformer.resblocks.3.ln_1.weight", new long[] {16},
                    new float[16]);
            withExtra.addFloats("cond_stage_model.model.text_projection", new long[] {16, 16}, new float[256]);
            withExtra.addFloats("cond_stage_model.model.logit_scale", new long[] {}, new float[1]);
            withExtra.addFloats("model_ema.decay", new long[] {}, new float[1]);
            withExtra.addFloats("alphas_cumprod", new long[] {1000}, new float[1000]);
            withExtra.write(extra);
        }
        compareWithFolder(open(extra), true);
        ModelSource m = open(missing);
        BadInputException e = assertThrows(BadInputException.class, () -> CheckedWeights.check(
                m.openWeights(ModelSource.TEXT_ENCODER), Layouts.textEncoder(m.textEncoderConfig())));
        assertTrue(e.getMessage().contains("(text_encoder): 1 tensor(s) do not fit the config: missing tensor '"
                + gone + "' [16]"), e.getMessage());
    }

    @Test
    void aFolderWithOnlyTheFp16VariantFilesLoadsWithinHalfRounding(@TempDir Path dir) throws IOException {
        Path folder = halfFolder(dir);
        ModelSource half = ModelSources.open(folder.toString(), null, CONF);
        assertEquals("diffusion_pytorch_model.fp16.safetensors", half.weightFile(ModelSource.UNET).getPath().getName());
        assertTrue(compareWithFolder(half, 11) > 0);
    }

    /** The fixture's single file with every tensor rounded to {@code half}, as {@code DIR/model-F16.safetensors}. */
    static Path halfFile(Path dir, DType half) throws IOException {
        return HalfPrecisionFiles.copy(fixtureFile(), dir.resolve("model-" + half + ".safetensors"), half);
    }

    /** The fixture folder with only float16 variant weight files ({@code *.fp16.safetensors}), as {@code DIR/model}. */
    static Path halfFolder(Path dir) throws IOException {
        Path folder = dir.resolve("model");
        for (String rel : List.of("model_index.json", "unet/config.json", "vae/config.json", "text_encoder/config.json",
                "scheduler/scheduler_config.json", "tokenizer/vocab.json", "tokenizer/merges.txt")) {
            Files.createDirectories(folder.resolve(rel).getParent());
            Files.copy(TestData.tinyModel().resolve(rel), folder.resolve(rel));
        }
        for (String[] c : new String[][] {{"unet", "diffusion_pytorch_model"}, {"vae", "diffusion_pytorch_model"},
                {"text_encoder", "model"}}) {
            HalfPrecisionFiles.copy(TestData.tinyModel().resolve(c[0] + "/" + c[1] + ".safetensors"),
                    folder.resolve(c[0] + "/" + c[1] + ".fp16.safetensors"), DType.F16);
        }
        return folder;
    }
}
