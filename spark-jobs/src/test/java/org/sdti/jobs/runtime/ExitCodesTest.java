package org.sdti.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileNotFoundException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import org.sdti.jobs.config.JobConfigException;
import org.sdti.model.BadInputException;
import org.sdti.model.config.ConfigException;
import org.sdti.model.embeddings.EmbeddingFileException;
import org.sdti.model.inversion.CheckpointMismatchException;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.text.TokenizerFileException;

class ExitCodesTest {
    @Test
    void onlyInputTheUserGaveExitsTwo() {
        assertEquals(2, ExitCodes.of(new BadInputException("x")));
        assertEquals(2, ExitCodes.of(new JobConfigException("sdti.train.steps", "must be >= 1")));
        assertEquals(2, ExitCodes.of(new ConfigException("unet/config.json: missing sample_size")));
        assertEquals(2, ExitCodes.of(new com.typesafe.config.ConfigException.Missing("sdti.model")));
        assertEquals(2, ExitCodes.of(new FileNotFoundException("model folder /m does not exist")));
        // every module's input errors share model's base type
        assertEquals(2, ExitCodes.of(new SafeTensorsException("w.safetensors", "header is not JSON")));
        assertEquals(2, ExitCodes.of(new EmbeddingFileException("e.pt", "no tensor")));
        assertEquals(2, ExitCodes.of(new CheckpointMismatchException("state-000002.safetensors", "other lr")));
        assertEquals(2, ExitCodes.of(new java.io.UncheckedIOException(new java.io.IOException("reading",
                new TokenizerFileException("vocab.json", "not JSON")))));
        // Spark wraps what a task threw; the cause still decides
        assertEquals(2, ExitCodes.of(new SparkException("Job aborted", new BadInputException("bad"))));
    }

    @Test
    void internalErrorsExitOne() {
        assertEquals(1, ExitCodes.of(new IllegalArgumentException("inconsistent micro-batch")));
        assertEquals(1, ExitCodes.of(new IllegalStateException("bug")));
        assertEquals(1, ExitCodes.of(new SparkException("Job aborted", new IllegalArgumentException("bug"))));
        assertEquals(1, ExitCodes.of(new java.io.IOException("connection reset")));
        assertEquals(1, ExitCodes.of(new RunFailedException("NaN loss at step 4", null)));
    }
}
