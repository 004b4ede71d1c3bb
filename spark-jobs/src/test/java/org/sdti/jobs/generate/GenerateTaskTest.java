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
import org.sdti.jobs.runtime.Isolation;
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
        // a batch whose rendering overflows the stack: an Error, which Spark would turn into the end of the job
        Batch deep = new Batch(2, "a dog", "", 6, 1, 2, "ddim", 7.5, 0, 16, 16, List.of(),
                List.of("_generate/images/deep-6.png"), List.of(0));
        LongAccumulator rendered = new LongAccumulator();
        LongAccumulator failed = new LongAccumulator();
        GenerateTask task = new GenerateTask(ModelRef.of(model), "model", out.toUri().toString(),
                HadoopConf.of(new Configuration(), Map.of()), rendered, failed,
                Isolation.injecting(unit -> unit.equals("batch 2") ? new StackOverflowError("injected") : null));

        List<JsonNode> outcomes = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String o : (Iterable<String>) () -> call(task, bad, good, deep)) {
            outcomes.add(json.readTree(o));
        }
        assertEquals(3, outcomes.size());
        assertEquals("failed", outcomes.get(0).path("status").asText());
        assertTrue(outcomes.get(0).path("reason").asText().contains("width " + (width + 1)), outcomes.get(0).toString());
        assertEquals("done", outcomes.get(1).path("status").asText());
        assertEquals("failed", outcomes.get(2).path("status").asText());
        assertEquals("rendering failed: java.lang.StackOverflowError: injected",
                outcomes.get(2).path("reason").asText());
        assertEquals(3, failed.value());
        assertEquals(1, rendered.value());
        assertTrue(Files.isRegularFile(out.resolve("_generate/images/good-5.png")));
        assertTrue(Files.notExists(out.resolve("_generate/images/bad-1.png")));
        assertTrue(Files.notExists(out.resolve("_generate/images/deep-6.png")));
    }

    private static java.util.Iterator<String> call(GenerateTask task, Batch... batches) {
        try {
            return task.call(java.util.Arrays.stream(batches).map(Batch::toBytes).iterator());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
