package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.generate.PngText;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.testing.TestData;

/** {@code sdti train} on the tiny fixture model: the bad-input contract and one short run with its outputs. */
class TrainCommandTest {
    static final String MODEL = TestData.tinyModel().toString();
    static final Pattern PROGRESS = Pattern.compile(
            "train: step \\d+/\\d+ loss \\S+ smoothed \\S+ lr \\S+ \\S+ steps/s ETA \\S+");

    static TokenizeCommandTest.Result run(String... args) {
        return TokenizeCommandTest.run(args);
    }

    /** A few small random-colour PNGs (the tiny model trains at 16 px). */
    static Path images(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            BufferedImage im = new BufferedImage(24, 20, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 24; x++) {
                    im.setRGB(x, y, r.nextInt(0x1000000));
                }
            }
            ImageIO.write(im, "png", dir.resolve("img" + i + ".png").toFile());
        }
        return dir;
    }

    static void assertBadInput(TokenizeCommandTest.Result r, String... parts) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        for (String p : parts) {
            assertTrue(r.err().contains(p), "'" + p + "' in: " + r.err());
        }
    }

    @Test
    void helpStatesTheInitializerRule() {
        TokenizeCommandTest.Result r = run("train", "--help");
        assertEquals(0, r.code(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("a word that is one token starts every vector") && help.contains(
                "a text of exactly --vectors tokens is spread one token per vector") && help.contains(
                "any other token count is rejected"), r.out());
        assertTrue(help.contains("With a --config job file alone: the Spark stage over every concept of the job")
                && help.contains("exit 2 naming the stage to run first"), r.out());
        for (String flag : List.of("--model", "--images", "--token", "--init-token", "--property", "--vectors",
                "--steps", "--lr", "--batch-size", "--resolution", "--seed", "--checkpoint-every", "--resume",
                "--validation-prompt", "--output")) {
            assertTrue(r.out().contains(flag), flag);
        }
    }

    @Test
    void badInputExitsTwoWithTheReason(@TempDir Path tmp) throws IOException {
        String imgs = images(tmp.resolve("imgs"), 1).toString();
        String out = tmp.resolve("out").toString();
        assertBadInput(run("train", "--model", MODEL, "--images", imgs, "--token", "cat", "--init-token", "dog",
                "--output", out), "train:", "token 'cat' is already in the vocabulary");
        assertBadInput(run("train", "--model", MODEL, "--images", tmp.resolve("nowhere").toString(), "--token",
                "<t>", "--init-token", "dog", "--output", out), "nowhere", "does not exist");
        assertBadInput(run("train", "--model", MODEL, "--images", imgs, "--token", "<t>", "--init-token",
                "xqzvbnw", "--output", out), "initializer 'xqzvbnw' is not in the vocabulary as one token");
        assertBadInput(run("train", "--model", MODEL, "--images", imgs, "--token", "<t>", "--init-token",
                "teddy bear", "--vectors", "3", "--output", out), "does not fit the token's 3 vectors",
                "--vectors 2");
        assertBadInput(run("train", "--model", MODEL, "--images", imgs, "--token", "<t>", "--init-token", "dog"),
                "sdti.output", "--output");
        assertBadInput(run("train", "--model", MODEL, "--images", imgs, "--token", "<t>", "--init-token", "dog",
                "--output", out, "--steps", "0"), "sdti.train.steps: must be >= 1");
        assertBadInput(run("train", "--model", MODEL, "--images", imgs, "--token", "<t>", "--init-token", "dog",
                "--output", out, "--resolution", "18"), "resolution 18 is not a multiple of 4");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "hello");
        Files.write(empty.resolve("broken.png"), new byte[] {1, 2, 3});
        assertBadInput(run("train", "--model", MODEL, "--images", empty.toString(), "--token", "<t>",
                "--init-token", "dog", "--output", out), "no usable image", "broken.png");
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written on bad input");
    }

    @Test
    void trainsWritesTheEmbeddingAndResumes(@TempDir Path tmp) throws IOException {
        String imgs = images(tmp.resolve("imgs"), 2).toString();
        Path out = tmp.resolve("out");
        TokenizeCommandTest.Result r = run("train", "--model", MODEL, "--images", imgs, "--token", "<tiny-toy>",
                "--init-token", "bear", "--steps", "4", "--checkpoint-every", "2", "--lr", "1e-3", "--seed", "3",
                "--a1111", "--validation-prompt", "a {} on a table", "--validation-images", "2",
                "--validation-steps", "2", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        Path embeds = out.resolve("learned_embeds.safetensors");
        assertEquals(embeds.toUri().toString().replace("file:///", "file:/"), r.out().trim());
        List<String> progress = r.err().lines().filter(l -> PROGRESS.matcher(l).matches()).toList();
        assertEquals(List.of("train: step 1/4", "train: step 4/4"), progress.stream()
                .map(l -> l.substring(0, l.indexOf(" loss"))).toList(), r.err());
        assertTrue(r.err().contains("2 image(s) of " + imgs + " give 4 examples at 16x16"), r.err());
        assertTrue(r.err().contains("train: done: <tiny-toy> trained for 4 steps (4 in this run, 0:00:"), r.err());
        assertTrue(r.err().contains("train: embedding: " + r.out().trim() + " (AUTOMATIC1111: "), r.err());
        assertTrue(r.err().contains("train: use it: bin/sdti generate --model " + MODEL + " --embedding "
                + r.out().trim() + " --prompt \"a photo of a <tiny-toy>\" --output DIR"), r.err());

        LearnedEmbedding e = EmbeddingFiles.read(embeds);
        assertEquals("<tiny-toy>", e.token());
        assertEquals(1, e.count());
        assertEquals(16, e.width());
        assertEquals(4L, e.metadata().step().getAsLong());
        assertEquals("model", e.metadata().baseModel().orElseThrow());
        assertEquals("bear", e.metadata().properties().get("initializer_token"));
        assertEquals("pt", e.metadata().properties().get("format"));
        LearnedEmbedding a1111 = EmbeddingFiles.read(out.resolve("tiny-toy.pt"));
        assertEquals(e.flat().length, a1111.flat().length);
        assertTrue(java.util.Arrays.equals(e.flat(), a1111.flat()));
        List<String> csv = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals(5, csv.size());
        for (String line : csv.subList(1, 5)) {
            assertTrue(Double.isFinite(Double.parseDouble(line.split(",")[1])), line);
        }
        try (Stream<Path> files = Files.list(out.resolve("checkpoints"))) {
            assertEquals(List.of("learned_embeds-000002.safetensors", "learned_embeds-000004.safetensors",
                    "state-000002.safetensors", "state-000004.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary files");
        }
        for (String png : List.of("00000.png", "00001.png")) {
            BufferedImage v = ImageIO.read(out.resolve("validation/000004/" + png).toFile());
            assertEquals(16, v.getWidth(), png);
        }

        // the same command again is refused; with --resume and more steps it continues
        assertBadInput(run("train", "--model", MODEL, "--images", imgs, "--token", "<tiny-toy>", "--init-token",
                "bear", "--steps", "4", "--lr", "1e-3", "--seed", "3", "--output", out.toString()),
                "already holds checkpoints up to step 4", "--resume");
        List<String> args = new ArrayList<>(List.of("train", "--model", MODEL, "--images", imgs, "--token",
                "<tiny-toy>", "--init-token", "bear", "--steps", "5", "--checkpoint-every", "2", "--lr", "1e-3",
                "--seed", "3", "--resume", "--validation-images", "0", "--output", out.toString()));
        TokenizeCommandTest.Result more = run(args.toArray(String[]::new));
        assertEquals(0, more.code(), more.err());
        assertTrue(more.err().contains("resuming from ") && more.err().contains("state-000004"), more.err());
        assertTrue(more.err().contains("trained for 5 steps (1 in this run"), more.err());
        assertEquals(5L, EmbeddingFiles.read(embeds).metadata().step().getAsLong());
        assertEquals(6, Files.readAllLines(out.resolve("loss.csv")).size());
        args.set(args.indexOf("1e-3"), "2e-3");
        assertBadInput(run(args.toArray(String[]::new)), "cannot resume", "learning_rate 0.001 where this run has 0.002");
    }

    @Test
    void validationImagesAreDrawnAtTheTrainingResolution(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        TokenizeCommandTest.Result r = run("train", "--model", MODEL, "--images", images(tmp.resolve("imgs"), 1)
                .toString(), "--token", "<t>", "--init-token", "bear", "--steps", "1", "--resolution", "32",
                "--validation-images", "1", "--validation-steps", "1", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage v = ImageIO.read(out.resolve("validation/000001/00000.png").toFile());
        assertEquals(32, v.getWidth(), "the model's own size is 16");
        assertEquals(32, v.getHeight());
        String text = PngText.read(Files.readAllBytes(out.resolve("validation/000001/00000.png")))
                .get("parameters");
        assertTrue(text.matches("(?s).*Sampler: (DDIM|Euler|DPM\\+\\+ 2M|DPM\\+\\+ 2M Karras|DDPM),.*"),
                "the sampler named as in generated images: " + text);
    }
}
