package org.sdti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.dataprep.world.Colour;
import org.sdti.dataprep.world.Constraints;
import org.sdti.dataprep.world.Png;
import org.sdti.dataprep.world.Shape;
import org.sdti.dataprep.world.World;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.testing.TestData;

/**
 * {@code sdti train} on a model that declares the toy world (init-model --random: the toy architecture with random
 * weights, so the rates mean nothing here) evaluates the concept at the end; a model that declares none is not
 * evaluated.
 */
class TrainEvaluationTest {
    static Path redStars(Path dir) throws Exception {
        Files.createDirectories(dir);
        Constraints redStar = Constraints.NONE.withShape(Shape.STAR).withColour(Colour.RED);
        for (int i = 0; i < 4; i++) {
            Files.write(dir.resolve(i + ".png"), Png.encode(World.standard().sample(11, i, redStar).image()));
        }
        return dir;
    }

    @Test
    void aToyWorldModelReportsTheConceptsHitRates(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("toy");
        assertEquals(0, JobFixtures.run("init-model", "--config", "toy", "--random", "--output", model.toString())
                .code());
        Path job = Files.writeString(tmp.resolve("job.conf"),
                "sdti.train.evaluation { seeds = 3, steps = 2 }\nsdti.train.validation.images = 0\n");
        Path out = tmp.resolve("out");
        JobFixtures.Result r = JobFixtures.run("train", "--config", job.toString(), "--model", model.toString(),
                "--images", redStars(tmp.resolve("stars")).toString(), "--token", "<rs>", "--init-token", "shape",
                "--steps", "2", "--resolution", "32", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().matches("(?s).*train: evaluation \\(\\{colour=red, shape=star}, 3 seeds, .*\\): photo \\d+% "
                + "\\(before \\d+%, in words \\d+%\\), composition \\d+% \\(before \\d+%, in words \\d+%\\).*"),
                r.err());
        assertTrue(r.err().contains("train: hit rate: photo "), r.err());
        JsonNode e = new ObjectMapper().readTree(out.resolve("evaluation.json").toFile());
        assertEquals("shapes", e.path("world").asText());
        assertEquals("red", e.path("expected").path("colour").asText());
        JsonNode photo = e.path("probes").get(0);
        assertEquals("a photo of a <rs>", photo.path("prompt").asText());
        assertEquals(3, photo.path("seeds").asInt());
        assertTrue(photo.path("hits_after").asInt() >= 0 && photo.path("hits_after").asInt() <= 3);
        assertEquals("a photo of a red star", photo.path("prompt_in_words").asText());
        assertTrue(photo.path("hits_in_words").asInt(-1) >= 0 && photo.path("hits_in_words").asInt() <= 3);
    }

    @Test
    void otherModelsAreNotEvaluated(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        JobFixtures.Result r = JobFixtures.run("train", "--model", TestData.tinyModel().toString(), "--images",
                redStars(tmp.resolve("stars")).toString(), "--token", "<rs>", "--init-token", "shape", "--steps", "1",
                "--validation-images", "0", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("evaluation"), r.err());
        assertFalse(Files.exists(out.resolve("evaluation.json")));
    }

    @Test
    void theTrainStageReportsHitRatesPerConcept(@TempDir Path tmp) throws Exception {
        org.sdti.jobs.testing.TestSpark.session();
        Path model = tmp.resolve("toy");
        assertEquals(0, JobFixtures.run("init-model", "--config", "toy", "--random", "--output", model.toString())
                .code());
        Path out = tmp.resolve("out");
        Path job = Files.writeString(tmp.resolve("job.conf"), """
                sdti {
                  model = "%s"
                  output = "%s"
                  concepts = [{ token = "<rs>", init = shape, images = "%s" }]
                  prepare.resolution = 32
                  train { steps = 2, average-every = 2, validation.images = 0, evaluation { seeds = 3, steps = 2 } }
                }
                """.formatted(model, out, redStars(tmp.resolve("stars"))));
        JobFixtures.Result r = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode c = new ObjectMapper().readTree(out.resolve("_reports/train.json").toFile()).path("concepts").get(0);
        for (String key : new String[] {"hits_photo", "hits_photo_before", "hits_photo_words", "hits_composition",
                "hits_composition_before", "hits_composition_words"}) {
            double rate = c.path(key).asDouble(-1);
            assertTrue(rate >= 0 && rate <= 1 && Math.abs(rate * 3 - Math.round(rate * 3)) < 1e-9, key + ": " + c);
        }
        assertTrue(Files.isRegularFile(out.resolve("rs/evaluation.json")));
    }
}
