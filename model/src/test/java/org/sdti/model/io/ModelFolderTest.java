package org.sdti.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.config.ConfigException;
import org.sdti.model.config.UNetConfig;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.testing.S3TestServer;
import org.sdti.model.testing.TestData;

class ModelFolderTest {

    @Test
    void readsTheTinyFixtureByPlainPathAndFileUri() throws IOException {
        for (String loc : new String[] {TestData.tinyModel().toString(), TestData.tinyModel().toUri().toString()}) {
            ModelFolder m = ModelFolder.open(loc);
            assertEquals("StableDiffusionPipeline", m.modelIndex().pipelineClass());
            assertEquals("UNet2DConditionModel", m.modelIndex().componentClass("unet"));
            UNetConfig u = m.unetConfig();
            assertArrayEquals(new int[] {32, 48}, u.blockOutChannels());
            assertArrayEquals(new int[] {2, 4}, u.heads());
            assertEquals(16, m.textEncoderConfig().hiddenSize());
            assertEquals(0.18215, m.vaeConfig().scalingFactor(), 0);
            assertEquals("epsilon", m.schedulerConfig().predictionType());
            assertEquals(1, m.schedulerConfig().stepsOffset());
            try (CheckedWeights w = CheckedWeights.check(m.openWeights("unet"), Layouts.unet(u))) {
                assertEquals(32 * 4 * 3 * 3, w.floats("conv_in.weight").length);
            }
        }
    }

    @Test
    void missingFolderAndMissingFilesAreNamed(@TempDir Path tmp) throws IOException {
        FileNotFoundException e = assertThrows(FileNotFoundException.class,
                () -> ModelFolder.open(tmp.resolve("nope").toString()));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("does not exist"), e.getMessage());

        // a file where a folder belongs: the model's and the output's folders are opened alike (HadoopLocation)
        String file = Files.writeString(tmp.resolve("file.txt"), "x").toString();
        assertEquals("model folder " + file + " is a file, not a folder", assertThrows(FileNotFoundException.class,
                () -> ModelFolder.open(file)).getMessage());
        assertEquals("output folder " + file + " is a file, not a folder", assertThrows(FileNotFoundException.class,
                () -> OutputFolder.open(file, new Configuration())).getMessage());
        String later = tmp.resolve("later").toString();
        assertEquals("file:" + later, OutputFolder.open(later, new Configuration()).location(),
                "an output folder may not exist yet");

        ModelFolder empty = ModelFolder.open(tmp.toString());
        FileNotFoundException f = assertThrows(FileNotFoundException.class, empty::unetConfig);
        assertTrue(f.getMessage().contains("unet/config.json"), f.getMessage());
        FileNotFoundException w = assertThrows(FileNotFoundException.class, () -> empty.openWeights("vae"));
        assertTrue(w.getMessage().contains("vae/diffusion_pytorch_model.safetensors"), w.getMessage());

        Files.createDirectories(tmp.resolve("unet"));
        Files.writeString(tmp.resolve("unet/diffusion_pytorch_model.bin"), "pickle");
        ConfigException p = assertThrows(ConfigException.class, () -> empty.openWeights("unet"));
        assertTrue(p.getMessage().contains("diffusion_pytorch_model.bin"), p.getMessage());
    }

    @Test
    void missingRequiredConfigKeyNamesFileAndKey(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("unet"));
        String cfg = Files.readString(TestData.tinyModel().resolve("unet/config.json"))
                .replace("\"cross_attention_dim\": 16,", "");
        Files.writeString(tmp.resolve("unet/config.json"), cfg);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelFolder.open(tmp.toString()).unetConfig());
        assertTrue(e.getMessage().contains("unet/config.json") && e.getMessage().contains("'cross_attention_dim'"),
                e.getMessage());
    }

    @Test
    void readsAModelFolderFromAnS3Server() throws Exception {
        try (S3TestServer s3 = new S3TestServer("models")) {
            Configuration conf = s3.hadoopConf();
            String uri = s3.uri("tiny-sd2");
            org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(uri);
            FileSystem fs = dst.getFileSystem(conf);
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(TestData.tinyModel().toUri()), dst);

            ModelFolder remote = ModelFolder.open(uri, conf);
            assertTrue(remote.location().startsWith("s3a://models/"), remote.location());
            assertEquals(remote.unetConfig().crossAttentionDim(), 16);
            assertTrue(remote.readText("tokenizer/vocab.json").contains("\"photo</w>\": 1125"));

            ModelFolder local = ModelFolder.open(TestData.tinyModel().toString());
            UNetConfig u = local.unetConfig();
            try (CheckedWeights r = CheckedWeights.check(remote.openWeights("unet"), Layouts.unet(u));
                    CheckedWeights l = CheckedWeights.check(local.openWeights("unet"), Layouts.unet(u))) {
                for (String name : new String[] {"conv_in.weight", "conv_out.bias",
                        "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"}) {
                    assertArrayEquals(l.floats(name), r.floats(name), name);
                }
            }
        }
    }
}
