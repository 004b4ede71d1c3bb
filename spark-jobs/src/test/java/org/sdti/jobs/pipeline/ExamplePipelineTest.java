package org.sdti.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.testing.TestData;

/**
 * The README's main run: conf/examples/local-pipeline.conf on the sample concepts of conf/examples/concepts (the
 * tiny fixture stands in for {@code init-model --config tiny}, which has its architecture). About a minute.
 */
@Tag("slow")
class ExamplePipelineTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theReadmeRunTrainsAndRendersBothSampleConcepts(@TempDir Path tmp) throws Exception {
        TestSpark.session();
        // the example's image paths are relative to the job file's folder, so it runs as it is from spark-jobs/
        Path job = ROOT.resolve("conf/examples/local-pipeline.conf");
        Path out = tmp.resolve("out");
        JobFixtures.Result r = JobFixtures.run("pipeline", "--config", job.toString(), "--model",
                TestData.tinyModel().toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode report = new ObjectMapper().readTree(out.resolve("_reports/pipeline.json").toFile());
        assertEquals("done", report.path("status").asText());
        long[] expectedImages = {1, 2}; // "a photo of a <sdti-bot> ..." at one seed; the lighthouse at two
        for (int i = 0; i < 2; i++) {
            JsonNode c = report.path("concepts").get(i);
            assertEquals(i == 0 ? "sdti-bot" : "dot-style", c.path("concept").asText());
            assertEquals(i == 0 ? 8 : 6, c.path("stages").path("prepare").path("examples").asLong(), "4 or 3 "
                    + "pictures, each also mirrored: none rejected");
            assertEquals(20, c.path("outputs").path("steps").asLong());
            assertEquals(expectedImages[i], c.path("outputs").path("images").asLong());
            assertTrue(Files.isRegularFile(out.resolve(c.path("concept").asText() + "/learned_embeds.safetensors")));
            assertTrue(r.out().contains(c.path("outputs").path("embedding").asText()), r.out());
        }
        // the prompt with both tokens belongs to no single concept
        assertEquals(1, report.path("other_results").get(0).path("images").asLong());
    }
}
