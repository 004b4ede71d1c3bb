package org.sdti.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.world.Shape;

class QualityReportTest {
    private static final QualityReport.Run RUN = new QualityReport.Run("file:/models/toy",
            Map.of("unet", "ab12", "text_encoder", "cd34", "vae", "ef56"), "shapes", "ddim", 50, 7.5, 32, 32,
            "sdti evaluate-model --model /models/toy --output out");

    @Test
    void theMarkdownSaysWhatMadeTheTable() {
        ModelQuality q = ModelQualityTest.right();
        String md = QualityReport.markdown(q, RUN);
        assertTrue(md.startsWith("# How well the model draws the shapes world\n"), md);
        assertTrue(md.contains("Model `file:/models/toy` (U-Net SHA-256 `ab12`): \"a photo of a COLOUR SHAPE\" "
                + "for every colour and shape of the world, seeds 0–1, ddim with 50 steps, guidance 7.5, 32×32 px;"),
                md);
        assertTrue(md.contains(q.table()), md);
        assertTrue(md.contains("![the first seeds of every colour and shape](grid.png)"), md);
        assertTrue(md.contains("Made by `sdti evaluate-model --model /models/toy --output out`."), md);
    }

    @Test
    void theJsonHoldsTheSameFiguresAndEveryReading() throws Exception {
        // red pairs drawn orange: 12 colour misses of 120
        ModelQuality q = ModelQualityTest.redAsOrange();
        JsonNode n = new ObjectMapper().readTree(QualityReport.json(q, RUN));
        assertEquals("file:/models/toy", n.path("model").asText());
        assertEquals("ab12", n.path("sha256").path("unet").asText());
        assertEquals(2, n.path("seeds").asInt());
        assertEquals(7.5, n.path("guidance").asDouble());
        assertEquals("sdti evaluate-model --model /models/toy --output out", n.path("command").asText());
        JsonNode total = n.path("total");
        assertEquals(120, total.path("pictures").asInt());
        assertEquals(108, total.path("colour_hits").asInt());
        assertEquals(120, total.path("shape_hits").asInt());
        assertEquals(0.9, total.path("colour_rate").asDouble(), 1e-12);
        assertEquals(60, n.path("cells").size());
        JsonNode redStar = n.path("cells").get(Shape.STAR.ordinal());
        assertEquals("a photo of a red star", redStar.path("prompt").asText());
        assertEquals(0, redStar.path("colour_hits").asInt());
        JsonNode reading = redStar.path("readings").get(1);
        assertEquals(1, reading.path("seed").asInt());
        assertEquals("images/red-star-1.png", reading.path("file").asText());
        assertEquals("orange", reading.path("colour").asText());
        assertEquals("star", reading.path("shape").asText());
    }
}
