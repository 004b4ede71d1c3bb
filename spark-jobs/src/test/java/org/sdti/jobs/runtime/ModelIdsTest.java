package org.sdti.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.io.DType;
import org.sdti.model.io.ModelSource;
import org.sdti.model.source.ModelSources;
import org.sdti.model.testing.HalfPrecisionFiles;
import org.sdti.model.testing.TestData;

/**
 * Model ids (where a model is) tell a single file from its half-precision copy, and an architecture from another;
 * the weights' content digests are WeightsDigestTest's.
 */
class ModelIdsTest {
    static final Configuration CONF = new Configuration();

    @Test
    void idsTellFloat32FromFloat16AndOneArchitectureFromAnother(@TempDir Path dir) throws Exception {
        Path fp32 = dir.resolve("model.safetensors");
        Path fp16 = dir.resolve("model-fp16.safetensors");
        Files.copy(TestData.path("fixtures/tiny-sd2/single-file/model.safetensors"), fp32);
        HalfPrecisionFiles.copy(fp32, fp16, DType.F16);
        String folder = TestData.tinyModel().toString();
        ModelSource full = ModelSources.open(fp32.toString(), folder, CONF);
        ModelSource half = ModelSources.open(fp16.toString(), folder, CONF);
        ModelSource preset = ModelSources.open(fp32.toString(), "tiny", CONF);
        assertNotEquals(ModelIds.of(full, ModelSource.VAE), ModelIds.of(half, ModelSource.VAE));
        assertNotEquals(ModelIds.of(full, ModelSource.VAE), ModelIds.of(preset, ModelSource.VAE));
        assertEquals(ModelIds.of(full, ModelSource.VAE), ModelIds.of(ModelRef.of(full).open(CONF), ModelSource.VAE),
                "a ModelRef reopens the same model");
        assertEquals(ModelIds.of(preset, ModelSource.VAE), ModelIds.of(ModelRef.of(preset).open(CONF),
                ModelSource.VAE));
        assertEquals(ModelIds.tokenizer(preset), ModelIds.tokenizer(ModelRef.of(preset).open(CONF)));
        assertEquals(ModelIds.tokenizer(ModelSources.open(folder, null, CONF)), ModelIds.tokenizer(full),
                "a folder and its single file with the folder's configs: the same tokenizer, by content");
    }
}
