package org.sdti.model.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.config.ConfigException;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.ModelSource;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.WeightLayout;
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
                            // float16 keeps 11 significant bits: round-to-nearest errs by at most 2^-11 relative
                            double tol = Math.max(Math.abs(x[i]) * 0x1p-11, 0x1p-25);
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
        try (org.sdti.model.io.SafeTensorsFile f = org.sdti.model.io.SafeTensorsFile.open(fixtureFile())) {
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
        IOException e = assertThrows(IOException.class,
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
        IOException e = assertThrows(IOException.class, () -> single.openWeights(ModelSource.UNET));
        assertTrue(e.getMessage().contains("no tensor 'model.diffusion_model.input_blocks.0.0.weight'"), e.getMessage());
    }
}
