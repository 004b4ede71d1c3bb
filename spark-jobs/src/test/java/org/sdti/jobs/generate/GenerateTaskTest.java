package org.sdti.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.testing.TestData;

/** The executor side alone: a batch that throws is reported failed with its reason, and the next one still renders. */
class GenerateTaskTest {
    @Test
    void aFailingBatchIsReportedAndTheOthersGoOn(@TempDir Path out) throws Exception {
        ModelFolder model = ModelFolder.open(TestData.tinyModel().toString());
        int width = model.textEncoderConfig().hiddenSize();
        // vectors one wider than the text encoder takes: the pipeline refuses them
        Batch bad = new Batch(0, "a <odd>", "", 1, 2, 2, "ddim", 7.5, 0, 16, 16,
                List.of(new Batch.Vectors("<odd>", "odd.safetensors", "00", new float[1][width + 1])),
                List.of("_generate/images/bad-1.png", "_generate/images/bad-2.png"), List.of(0, 1));
        Batch good = new Batch(1, "a cat", "", 5, 1, 2, "ddim", 7.5, 0, 16, 16, List.of(),
                List.of("_generate/images/good-5.png"), List.of(0));
        LongAccumulator rendered = new LongAccumulator();
        LongAccumulator failed = new LongAccumulator();
        GenerateTask task = new GenerateTask(ModelRef.of(model), "model", out.toUri().toString(),
                HadoopConf.of(new Configuration(), Map.of()), rendered, failed);

        List<JsonNode> outcomes = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String o : (Iterable<String>) () -> call(task, bad, good)) {
            outcomes.add(json.readTree(o));
        }
        assertEquals(2, outcomes.size());
        assertEquals("failed", outcomes.get(0).path("status").asText());
        assertTrue(outcomes.get(0).path("reason").asText().contains("width " + (width + 1)), outcomes.get(0).toString());
        assertEquals("done", outcomes.get(1).path("status").asText());
        assertEquals(2, failed.value());
        assertEquals(1, rendered.value());
        assertTrue(Files.isRegularFile(out.resolve("_generate/images/good-5.png")));
        assertTrue(Files.notExists(out.resolve("_generate/images/bad-1.png")));
    }

    private static java.util.Iterator<String> call(GenerateTask task, Batch... batches) {
        try {
            return task.call(java.util.Arrays.stream(batches).map(Batch::toBytes).iterator());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
