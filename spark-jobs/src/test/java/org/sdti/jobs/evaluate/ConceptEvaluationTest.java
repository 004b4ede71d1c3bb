package org.sdti.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sdti.dataprep.RgbImage;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.pipelines.TextToImage;
import org.sdti.model.testing.TestData;

/** The runner on the tiny fixture (random weights: what it draws means nothing, how it is scored is checked). */
class ConceptEvaluationTest {
    @Test
    void probesAreRenderedPerSeedWithTheRowsBeforeAndAfter() throws Exception {
        try (StableDiffusion sd = StableDiffusion.load(ModelFolder.open(TestData.tinyModel().toString()))) {
            TextToImage pipeline = new TextToImage(sd);
            float[][] before = new float[1][(int) sd.textEncoder().embedding().hiddenSize()];
            float[][] after = new float[1][before[0].length];
            // rows far from the zero ones: the tiny random model hardly listens to its prompt, so small ones may
            // leave the 8-bit pictures unchanged
            java.util.Random rnd = new java.util.Random(1);
            for (int i = 0; i < after[0].length; i++) {
                after[0][i] = (float) (20 * rnd.nextGaussian());
            }
            List<String> seen = new ArrayList<>();
            List<Boolean> verdicts = new ArrayList<>();
            // the probe passes a picture when its first pixel is bright: a test anything can fail or pass
            ConceptEvaluator.Probe probe = new ConceptEvaluator.Probe("photo", "a photo of a {}", "a photo of a star",
                    img -> {
                        seen.add(Arrays.toString(img.rgb()));
                        verdicts.add((img.rgb()[0] & 0xff) > 127);
                        return verdicts.get(verdicts.size() - 1);
                    });
            ConceptEvaluator.Judgement j = new ConceptEvaluator.Judgement(Map.of("shape", "star"), List.of(probe));
            ConceptEvaluation.Settings s = new ConceptEvaluation.Settings(4, 3, 7.5);
            ConceptEvaluation.Result r = ConceptEvaluation.run(pipeline, j, "<t>", before, after, s);
            assertEquals(12, seen.size(), "4 seeds before, 4 after, 4 in words");
            assertEquals(12, seen.stream().distinct().count(), "seeds, rows and words give other pictures");
            ConceptEvaluation.ProbeResult p = r.probes().get(0);
            assertEquals("a photo of a <t>", p.prompt());
            assertEquals(4, p.seeds());
            assertEquals(verdicts.subList(0, 4).stream().filter(b -> b).count(), p.before());
            assertEquals(verdicts.subList(4, 8).stream().filter(b -> b).count(), p.after());
            assertEquals(verdicts.subList(8, 12).stream().filter(b -> b).count(), p.words().getAsInt());
            assertEquals("a photo of a star", p.inWords());
            assertEquals(Map.of("hits_photo", p.afterRate(), "hits_photo_before", p.beforeRate(), "hits_photo_words",
                    p.wordsRate().getAsDouble()), r.metrics());
            assertTrue(r.summary().matches("photo \\d+% \\(before \\d+%, in words \\d+%\\)"), r.summary());

            // the same again: the same pictures
            List<String> first = new ArrayList<>(seen);
            seen.clear();
            ConceptEvaluation.run(pipeline, j, "<t>", before, after, s);
            assertEquals(first, seen);
            assertFalse(first.isEmpty());
        }
    }
}
