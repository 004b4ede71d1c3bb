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

    @Test
    void theTableShowsEachProbesHitRateAfterAndBefore() {
        java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
        m.put("loss", 0.0174);
        // in the order a report's sorted metrics come: the photo probe is still shown first
        m.put("hits_composition", 0.5);
        m.put("hits_composition_before", 0.0);
        m.put("hits_photo", 0.8125);
        m.put("hits_photo_before", 0.03125);
        m.put("hits_photo_words", 1.0);
        org.sdti.jobs.runtime.StageReport.ConceptResult train = new org.sdti.jobs.runtime.StageReport.ConceptResult(
                "gizmo", "<gizmo>", org.sdti.jobs.runtime.StageReport.Status.DONE, "trained", null,
                java.util.Map.of(), java.util.List.of(), m);
        assertEquals("photo 81% (3%; 100%), composition 50% (0%)", PipelineReport.hits(train),
                "after (before; in words), the words only where measured");
        assertEquals("-", PipelineReport.hits(new org.sdti.jobs.runtime.StageReport.ConceptResult("dog", "<dog>",
                org.sdti.jobs.runtime.StageReport.Status.DONE, "trained", null, java.util.Map.of(),
                java.util.List.of(), java.util.Map.of("loss", 0.02))), "no evaluation: no hit rates");
        assertEquals("-", PipelineReport.hits(null));
    }
}
