package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.Vae;
import org.sdti.model.text.ClipTokenizer;

class InitModelCommandTest {
    @Test
    void writesALoadableTinyFolderAndRefusesToOverwriteIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("tiny");
        JobFixtures.Result r = JobFixtures.run("init-model", "--config", "tiny", "--output", dir.toString(),
                "--seed", "7");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("real results need the real Stable Diffusion 2.1 weights"), r.out());

        ModelFolder folder = ModelFolder.open(dir.toString());
        assertEquals(16, folder.unetConfig().sampleSize() * folder.vaeConfig().downscale());
        ClipTokenizer tok = ClipTokenizer.load(folder.tokenizerFiles());
        assertEquals(49408, tok.vocabSize());
        VaeConfig cfg = folder.vaeConfig();
        try (CheckedWeights w = CheckedWeights.check(folder.openWeights("vae"), Layouts.vae(cfg))) {
            Vae vae = Vae.load(cfg, w);
            assertEquals(8, vae.encode(Nd4j.zeros(1, 3, 16, 16)).mean().size(2));
        }
        CheckedWeights.check(folder.openWeights("unet"), Layouts.unet(folder.unetConfig())).close();
        CheckedWeights.check(folder.openWeights("text_encoder"), Layouts.textEncoder(folder.textEncoderConfig()))
                .close();

        JobFixtures.Result again = JobFixtures.run("init-model", "--config", "tiny", "--output", dir.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a model"), again.err());
        assertEquals(0, JobFixtures.run("init-model", "--config", "tiny", "--output", dir.toString(), "--force")
                .code());
        assertEquals(2, JobFixtures.run("init-model", "--config", "huge", "--output", dir.toString()).code());
    }
}
