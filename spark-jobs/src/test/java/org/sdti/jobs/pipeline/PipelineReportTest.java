package org.sdti.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.sdti.jobs.config.JobConfig;

class PipelineReportTest {
    @Test
    void aModelWithRandomWeightsIsSaidToMeanNothing() {
        JobConfig job = JobConfig.from(ConfigFactory.parseString("""
                sdti.model = "/m", sdti.output = "/o"
                sdti.concepts = [{ token = "<a>", init = toy, images = "/i" }]
                """).withFallback(ConfigFactory.defaultReference()).resolve());
        Instant t = Instant.parse("2026-12-07T10:00:00Z");
        PipelineReport report = new PipelineReport(job, "file:/o", "file:/m", "preset tiny, seed 0", t).finish(t);
        String table = report.table();
        assertTrue(table.contains("note: file:/m has random weights (sdti init-model, preset tiny, seed 0): these "
                + "embeddings, losses and images mean nothing"), table);
        ObjectNode json = report.toJson();
        assertEquals("preset tiny, seed 0", json.path("random_weights").asText());
        assertTrue(json.path("warning").asText().contains("real Stable Diffusion 2.1 weights"), json.toString());
    }
}
