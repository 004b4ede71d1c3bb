package org.sdti.model.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.testing.S3TestServer;
import org.sdti.model.testing.TestData;

class RandomModelFolderTest {

    @Test
    void writesACompleteValidatedFolderReproducibly(@TempDir Path tmp) throws IOException {
        RandomModelFolder.write("tiny", tmp.resolve("a").toString(), 7, new Configuration());
        RandomModelFolder.write("tiny", tmp.resolve("b").toString(), 7, new Configuration());
        RandomModelFolder.write("tiny", tmp.resolve("c").toString(), 8, new Configuration());
        ModelFolder m = ModelFolder.open(tmp.resolve("a").toString());
        try (CheckedWeights u = CheckedWeights.check(m.openWeights("unet"), Layouts.unet(m.unetConfig()));
                CheckedWeights v = CheckedWeights.check(m.openWeights("vae"), Layouts.vae(m.vaeConfig()));
                CheckedWeights t = CheckedWeights.check(m.openWeights("text_encoder"),
                        Layouts.textEncoder(m.textEncoderConfig()))) {
            float[] w = u.floats("conv_in.weight");
            double bound = 1 / Math.sqrt(4 * 3 * 3);
            for (float x : w) {
                assertTrue(Math.abs(x) <= bound, "uniform within 1/sqrt(fan_in)");
            }
            float[] ones = new float[32];
            java.util.Arrays.fill(ones, 1f);
            assertArrayEquals(ones, v.floats("encoder.mid_block.resnets.0.norm1.weight"));
            assertEquals(49408 * 16, t.floats("text_model.embeddings.token_embedding.weight").length);
        }
        for (String f : new String[] {"unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"}) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)));
            assertNotEquals(Files.size(tmp.resolve("a").resolve(f)), 0);
        }
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("a/vae/diffusion_pytorch_model.safetensors")),
                Files.readAllBytes(tmp.resolve("c/vae/diffusion_pytorch_model.safetensors"))), "another seed differs");
        assertEquals(Files.readString(TestData.path("reference/sd2/sd21/tokenizer/vocab.json")),
                Files.readString(tmp.resolve("a/tokenizer/vocab.json")));
        assertEquals(Files.readString(TestData.tinyModel().resolve("unet/config.json")),
                Files.readString(tmp.resolve("a/unet/config.json")));
    }

    @Test
    void aFolderItWroteIsKnownAsRandom(@TempDir Path tmp) throws IOException {
        RandomModelFolder.write("tiny", tmp.toString(), 7, new Configuration());
        assertEquals(java.util.Optional.of("preset tiny, seed 7"), RandomModelFolder.madeBy(ModelFolder.open(
                tmp.toString())));
        assertEquals(java.util.Optional.empty(), RandomModelFolder.madeBy(ModelFolder.open(
                TestData.tinyModel().toString())), "the fixture was made by diffusers");
    }

    @Test
    void unknownPresetIsNamed(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RandomModelFolder.write("huge", tmp.toString(), 1, new Configuration()));
        assertTrue(e.getMessage().contains("'huge'") && e.getMessage().contains("sd21-base"), e.getMessage());
    }

    @Test
    void writesToS3(@TempDir Path tmp) throws Exception {
        try (S3TestServer s3 = new S3TestServer("models")) {
            RandomModelFolder.write("tiny", s3.uri("rnd"), 3, s3.hadoopConf());
            ModelFolder m = ModelFolder.open(s3.uri("rnd"), s3.hadoopConf());
            try (CheckedWeights u = CheckedWeights.check(m.openWeights("unet"), Layouts.unet(m.unetConfig()))) {
                assertEquals(32, u.floats("conv_in.bias").length);
            }
        }
    }
}
