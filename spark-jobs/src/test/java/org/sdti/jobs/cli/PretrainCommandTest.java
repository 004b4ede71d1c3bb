package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.models.TokenEmbedding;

class PretrainCommandTest {
    /** A folder of 16×16 pictures (a square of one colour on another) with its manifest. */
    static Path pictures(Path dir, int n, String extraLine) throws IOException {
        Files.createDirectories(dir);
        StringBuilder manifest = new StringBuilder();
        int[] colours = {0xdd2222, 0x22bb33, 0x2244dd, 0xeedd22};
        for (int i = 0; i < n; i++) {
            BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    boolean inside = x >= 4 + i % 4 && x < 10 + i % 4 && y >= 5 && y < 11;
                    im.setRGB(x, y, colours[inside ? i % 4 : (i + 1) % 4]);
                }
            }
            ImageIO.write(im, "png", dir.resolve(i + ".png").toFile());
            manifest.append("{\"file\": \"").append(i).append(".png\", \"caption\": \"a square\", \"shape\": \"square\"}\n");
        }
        Files.writeString(dir.resolve("manifest.jsonl"), manifest + extraLine);
        return dir;
    }

    @Test
    void trainsAModelThatGenerateReads(@TempDir Path tmp) throws IOException {
        Path images = pictures(tmp.resolve("images"), 4, "");
        Path out = tmp.resolve("model");
        JobFixtures.Result r = JobFixtures.run("pretrain", "--config", "toy", "--images", images.toString(),
                "--output", out.toString(), "--steps", "2", "--batch-size", "2", "--warmup", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("pretrain: step 2/2 loss"), r.err());
        assertTrue(r.out().contains("2 steps (2 in this run) on 4 pictures"), r.out());
        assertTrue(Files.exists(out.resolve("loss.csv")) && Files.exists(out.resolve(
                "checkpoints/state-000002.safetensors")));
        JobFixtures.Result again = JobFixtures.run("pretrain", "--config", "toy", "--images", images.toString(),
                "--output", out.toString(), "--steps", "2", "--batch-size", "2", "--warmup", "1");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--resume"), again.err());

        JobFixtures.Result g = JobFixtures.run("generate", "--model", out.toString(), "--prompt", "a square",
                "--steps", "2", "--output", tmp.resolve("images-out").toString());
        assertEquals(0, g.code(), g.err());
        BufferedImage png = ImageIO.read(tmp.resolve("images-out/00000.png").toFile());
        assertEquals(32, png.getWidth(), "the toy's default size: U-Net sample_size 32 through the identity VAE");
    }

    /** --token-init-std sets the token table's starting spread (step 1 of a warm-up has learning rate 0). */
    @Test
    void tokenInitStdScalesTheStartingTokenTable(@TempDir Path tmp) throws IOException {
        Path images = pictures(tmp.resolve("images"), 2, "");
        for (String std : new String[] {"0", "1"}) {
            Path out = tmp.resolve("model-" + std);
            JobFixtures.Result r = JobFixtures.run("pretrain", "--config", "toy", "--images", images.toString(),
                    "--output", out.toString(), "--steps", "1", "--batch-size", "2", "--warmup", "5",
                    "--token-init-std", std);
            assertEquals(0, r.code(), r.err());
            try (SafeTensorsFile f = SafeTensorsFile.open(out.resolve("text_encoder/model.safetensors"))) {
                float[] table = f.floats(TokenEmbedding.TABLE);
                double sq = 0;
                for (float v : table) {
                    sq += (double) v * v;
                }
                double measured = Math.sqrt(sq / table.length);
                double expected = std.equals("0") ? 0.02 : 1.0;
                assertEquals(expected, measured, expected * 0.01, "token table std with --token-init-std " + std);
                assertTrue(f.metadata().get("sdti.pretrain_settings").contains("\"tokenInitStd\":" + std + ".0"),
                        f.metadata().toString());
            }
        }
    }

    @Test
    void badInputExitsTwoNamingTheProblem(@TempDir Path tmp) throws IOException {
        Path images = pictures(tmp.resolve("images"), 2, "{\"file\": \"missing.png\", \"caption\": \"x\"}\n"
                + "{\"file\": \"0.png\"}\nnot json\n");
        Path out = tmp.resolve("model");
        JobFixtures.Result r = JobFixtures.run("pretrain", "--config", "toy", "--images", images.toString(),
                "--output", out.toString());
        assertEquals(2, r.code(), r.err());
        for (String expected : new String[] {"manifest.jsonl:3", "missing.png: no such file", "manifest.jsonl:4",
                "\"caption\" must be a string", "manifest.jsonl:5"}) {
            assertTrue(r.err().contains(expected), expected + " in: " + r.err());
        }
        Path good = pictures(tmp.resolve("good"), 2, "");
        JobFixtures.Result tiny = JobFixtures.run("pretrain", "--config", "tiny", "--images", good.toString(),
                "--output", out.toString());
        assertEquals(2, tiny.code(), tiny.err());
        assertTrue(tiny.err().contains("block_out_channels"), tiny.err());
        JobFixtures.Result steps = JobFixtures.run("pretrain", "--config", "toy", "--images", good.toString(),
                "--output", out.toString(), "--steps", "0");
        assertEquals(2, steps.code(), steps.err());
        assertTrue(steps.err().contains("steps must be >= 1"), steps.err());
        assertTrue(!Files.exists(out), "nothing written for bad input");
    }
}
