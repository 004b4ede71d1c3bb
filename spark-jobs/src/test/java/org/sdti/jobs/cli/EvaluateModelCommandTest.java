package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.generate.PngText;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.testing.TestData;

/**
 * {@code sdti evaluate-model} on init-model's toy architecture: random weights, so only the structure is asserted
 * (every pair once, N pictures each, the files, exit codes), not the rates.
 */
class EvaluateModelCommandTest {

    @Test
    void writesTheTableTheGridAndEveryPictureAndReplacesAnEarlierResult(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("toy");
        assertEquals(0, JobFixtures.run("init-model", "--config", "toy", "--output", model.toString()).code());
        Path out = tmp.resolve("quality");
        JobFixtures.Result r = JobFixtures.run("evaluate-model", "--model", model.toString(), "--output",
                out.toString(), "--seeds", "1", "--steps", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals(out.resolve("quality.md").toString(), r.out().strip());
        assertTrue(r.err().contains("evaluate-model: image 60/60, "), r.err());
        assertTrue(r.err().contains("images/s, ETA"), r.err());

        JsonNode q = new ObjectMapper().readTree(out.resolve("quality.json").toFile());
        assertEquals("shapes", q.path("world").asText());
        assertEquals("ddim", q.path("sampler").asText(), "the toy model's own scheduler, as generate picks it");
        assertEquals(2, q.path("steps").asInt());
        assertEquals(7.5, q.path("guidance").asDouble(), "generate's default");
        assertEquals(64, q.path("sha256").path("unet").asText().length());
        assertEquals(60, q.path("cells").size());
        for (JsonNode cell : q.path("cells")) {
            assertEquals(1, cell.path("pictures").asInt(), cell.toString());
            int hits = cell.path("colour_hits").asInt();
            assertTrue(hits == 0 || hits == 1, cell.toString());
            Path png = out.resolve(cell.path("readings").get(0).path("file").asText());
            assertTrue(Files.isRegularFile(png), png.toString());
        }
        assertEquals(60, q.path("total").path("pictures").asInt());
        assertTrue(q.path("command").asText().startsWith("sdti evaluate-model --model " + model), q.toString());
        try (Stream<Path> images = Files.list(out.resolve("images"))) {
            assertEquals(60, images.count());
        }
        // each picture carries generate's metadata: its prompt and seed
        String params = PngText.read(Files.readAllBytes(out.resolve("images/red-star-0.png"))).get("parameters");
        assertTrue(params.startsWith("a photo of a red star\n") && params.contains("Seed: 0,"), params);

        List<String> md = Files.readAllLines(out.resolve("quality.md"));
        assertEquals(10, md.stream().filter(l -> l.matches("\\| [a-z]+ \\|( [01]/[01] \\|){6} .*")).count(),
                String.join("\n", md));
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertTrue(grid.getWidth() >= 6 * 64 && grid.getHeight() >= 10 * 64,
                grid.getWidth() + "x" + grid.getHeight());

        // a rerun replaces the earlier result whole
        Files.writeString(out.resolve("stale.txt"), "from before");
        JobFixtures.Result again = JobFixtures.run("evaluate-model", "--model", model.toString(), "--output",
                out.toString(), "--seeds", "1", "--steps", "1");
        assertEquals(0, again.code(), again.err());
        assertFalse(Files.exists(out.resolve("stale.txt")));
        assertEquals(1, new ObjectMapper().readTree(out.resolve("quality.json").toFile()).path("steps").asInt());
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertEquals(List.of("quality", "toy"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary folder is left");
        }
    }

    @Test
    void refusesAModelWithoutAKnownWorldAnotherFolderAndNoSeeds(@TempDir Path tmp) throws Exception {
        String tiny = TestData.tinyModel().toString();
        JobFixtures.Result r = JobFixtures.run("evaluate-model", "--model", tiny, "--output",
                tmp.resolve("q").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("tiny") && r.err().contains("model_index.json has no \"_sdti_world\" field"),
                r.err());
        assertFalse(Files.exists(tmp.resolve("q")));

        Path model = tmp.resolve("toy");
        assertEquals(0, JobFixtures.run("init-model", "--config", "toy", "--output", model.toString()).code());
        Path other = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(other.resolve("keep.txt"), "mine");
        JobFixtures.Result refused = JobFixtures.run("evaluate-model", "--model", model.toString(), "--output",
                other.toString(), "--seeds", "1", "--steps", "1");
        assertEquals(ExitCodes.BAD_INPUT, refused.code(), refused.err());
        assertTrue(refused.err().contains("--output " + other + ": exists and is not an evaluate-model result"),
                refused.err());
        assertEquals("mine", Files.readString(other.resolve("keep.txt")));

        JobFixtures.Result noSeeds = JobFixtures.run("evaluate-model", "--model", model.toString(), "--output",
                tmp.resolve("q").toString(), "--seeds", "0");
        assertEquals(ExitCodes.BAD_INPUT, noSeeds.code());
        assertTrue(noSeeds.err().contains("--seeds: must be >= 1, got 0"), noSeeds.err());
    }
}
