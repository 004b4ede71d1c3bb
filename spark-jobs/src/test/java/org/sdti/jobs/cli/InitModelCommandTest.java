package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.RandomModelFolder;
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

    @Test
    void toyIsTheTrainedModelByteForByteAndRandomOnRequest(@TempDir Path tmp) throws Exception {
        Path shipped = Path.of("..", "models", "toy").toAbsolutePath().normalize();
        Path dir = tmp.resolve("toy");
        JobFixtures.Result r = JobFixtures.run("init-model", "--config", "toy", "--output", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote the trained toy model (byte-identical copies"), r.out());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(shipped)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            Path copy = dir.resolve(shipped.relativize(f).toString());
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(copy), copy.toString());
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            assertEquals(files.size(), walk.filter(Files::isRegularFile).count(), "no other files");
        }
        assertEquals(Optional.empty(), RandomModelFolder.madeBy(ModelFolder.open(dir.toString())));

        JobFixtures.Result seeded = JobFixtures.run("init-model", "--config", "toy", "--output",
                tmp.resolve("s").toString(), "--seed", "3");
        assertEquals(2, seeded.code());
        assertTrue(seeded.err().contains("--seed 3: the trained toy model has no seed; --seed applies only to random "
                + "weights (add --random)"), seeded.err());
        assertFalse(Files.exists(tmp.resolve("s")), "nothing written");

        Path random = tmp.resolve("random");
        JobFixtures.Result rr = JobFixtures.run("init-model", "--config", "toy", "--random", "--seed", "3",
                "--output", random.toString());
        assertEquals(0, rr.code(), rr.err());
        assertTrue(rr.out().contains("seeded random weights (seed 3)"), rr.out());
        assertEquals(Optional.of("preset toy, seed 3"), RandomModelFolder.madeBy(ModelFolder.open(random.toString())));
    }
}
