package org.sdti.model.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.embeddings.CheckpointFiles;
import org.sdti.model.io.DType;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.ModelSource;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.ComponentWeights;
import org.sdti.model.testing.TestData;

/**
 * A model's identity by content ({@link CheckedWeights#contentSha256()}): the same weights give the same digests in
 * the diffusers folder, the LDM-layout single file and its .ckpt; half precision and one changed value do not.
 */
class WeightsDigestTest {
    /**
     * The fixture's digests as this form first computed them, pinned: PNGs carry them, so the canonical form (name,
     * dtype, shape, float32 values) must not drift unnoticed.
     */
    private static final Map<String, String> FIXTURE = Map.of(
            ModelSource.UNET, "c3bdff8669885fd40023afafe5144a8c4cfbffcb75bb0e7093edfb453428ec67",
            ModelSource.TEXT_ENCODER, "615bd2d563bd47a71f4b982458485b74c477ae4bd12fe205b3380a5013d57db0",
            ModelSource.VAE, "d3097f5d18a1c624c1f4111cdd92b32bdf091ffc8d9def1bbe42a99104f41ea9");

    static Map<String, String> digests(ModelSource model) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (CheckedWeights u = ComponentWeights.unet(model);
             CheckedWeights t = ComponentWeights.textEncoder(model);
             CheckedWeights v = ComponentWeights.vae(model)) {
            out.put(ModelSource.UNET, u.contentSha256());
            out.put(ModelSource.TEXT_ENCODER, t.contentSha256());
            out.put(ModelSource.VAE, v.contentSha256());
        }
        return out;
    }

    @Test
    void theSameWeightsHaveTheSameDigestsInEveryContainer(@TempDir Path dir) throws IOException {
        Map<String, String> folder = digests(ModelFolder.open(TestData.tinyModel().toString(), SingleFileModelTest.CONF));
        assertEquals(FIXTURE, folder);
        assertEquals(folder, digests(SingleFileModelTest.open(SingleFileModelTest.fixtureFile())));
        Path ckpt = dir.resolve("model.ckpt");
        try (SafeTensorsFile f = SafeTensorsFile.open(SingleFileModelTest.fixtureFile())) {
            CheckpointFiles.write(f, ckpt, null);
        }
        assertEquals(folder, digests(SingleFileModelTest.open(ckpt)));
    }

    @Test
    void theDigestDoesNotDependOnWhatWasReadBefore() throws IOException {
        ModelSource model = ModelFolder.open(TestData.tinyModel().toString(), SingleFileModelTest.CONF);
        try (CheckedWeights u = ComponentWeights.unet(model)) {
            List<String> names = List.copyOf(u.layout().shapes().keySet());
            // a network reads in its own order, some parameters never; the digest completes them in name order
            for (int i = names.size() - 1; i >= 0; i -= 3) {
                u.floats(names.get(i));
            }
            assertEquals(FIXTURE.get(ModelSource.UNET), u.contentSha256());
        }
    }

    @Test
    void halfPrecisionIsAnotherModelInAFileAsInAFolder(@TempDir Path dir) throws IOException {
        Map<String, String> half = digests(SingleFileModelTest.open(SingleFileModelTest.halfFile(dir, DType.F16)));
        Map<String, String> halfFolder = digests(ModelFolder.open(SingleFileModelTest.halfFolder(dir).toString(),
                SingleFileModelTest.CONF));
        assertEquals(halfFolder, half, "the same float16 weights, folder or file");
        for (String component : FIXTURE.keySet()) {
            assertNotEquals(FIXTURE.get(component), half.get(component), component);
        }
        Map<String, String> bf16 = digests(SingleFileModelTest.open(SingleFileModelTest.halfFile(dir, DType.BF16)));
        assertNotEquals(half.get(ModelSource.UNET), bf16.get(ModelSource.UNET));
    }

    @Test
    void oneChangedValueChangesOnlyItsComponentsDigest(@TempDir Path dir) throws IOException {
        Path changed = dir.resolve("changed.safetensors");
        String key = LdmNames.UNET_PREFIX + "input_blocks.0.0.weight";
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (SafeTensorsFile f = SafeTensorsFile.open(SingleFileModelTest.fixtureFile())) {
            for (String name : f.names()) {
                float[] values = f.floats(name);
                if (name.equals(key)) {
                    values[7] = Math.nextUp(values[7]);
                }
                w.addFloats(name, f.info(name).dtype(), f.info(name).shape(), values);
            }
        }
        w.write(changed);
        Map<String, String> d = digests(SingleFileModelTest.open(changed));
        assertNotEquals(FIXTURE.get(ModelSource.UNET), d.get(ModelSource.UNET));
        assertEquals(FIXTURE.get(ModelSource.VAE), d.get(ModelSource.VAE));
        assertEquals(FIXTURE.get(ModelSource.TEXT_ENCODER), d.get(ModelSource.TEXT_ENCODER));
    }
}
