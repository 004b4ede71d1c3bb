package org.sdti.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.testing.TestData;

/**
 * The README's main run: conf/examples/local-pipeline.conf on the sample concepts of conf/examples/concepts, every
 * stage and concept on the tiny fixture (which stands in for the toy model bin/run-example writes: the job's own
 * model, whose training and hit rates are the README's figures, takes minutes). About a minute.
 */
@Tag("slow")
class ExamplePipelineTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmeRunTrainsAndRendersEverySampleConcept(@TempDir Path tmp) throws Exception {
        TestSpark.session();
        // the example's image paths are relative to the job file's folder, so it runs as it is from spark-jobs/
        Path job = ROOT.resolve("conf/examples/local-pipeline.conf");
        Path out = tmp.resolve("out");
        JobFixtures.Result r = JobFixtures.run("pipeline", "--config", job.toString(), "--model",
                TestData.tinyModel().toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode report = new ObjectMapper().readTree(out.resolve("_reports/pipeline.json").toFile());
        assertEquals("done", report.path("status").asText());
        long steps = ConfigFactory.parseFile(job.toFile()).getLong("sdti.train.steps");
        List<String> names = List.of("gizmo", "ember", "widget");
        assertEquals(names.size(), report.path("concepts").size());
        for (int i = 0; i < names.size(); i++) {
            JsonNode c = report.path("concepts").get(i);
            assertEquals(names.get(i), c.path("concept").asText());
            assertEquals(12, c.path("stages").path("prepare").path("examples").asLong(), "6 pictures, each also "
                    + "mirrored: none rejected");
            assertEquals(steps, c.path("outputs").path("steps").asLong());
            assertTrue(c.path("outputs").path("images").asLong() > 0, c.toString());
            assertTrue(Files.isRegularFile(out.resolve(names.get(i) + "/learned_embeds.safetensors")));
            assertTrue(r.out().contains(c.path("outputs").path("embedding").asText()), r.out());
        }
    }
}
