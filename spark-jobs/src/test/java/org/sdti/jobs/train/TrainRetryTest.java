package org.sdti.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.testing.FailOnceFileSystem;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.testing.TestData;

/**
 * A train task that fails on its first attempt (its model cannot be read: {@link FailOnceFileSystem}) is retried
 * by Spark ({@code local[2,2]}: two attempts per task); the concept's report row counts 2 attempts and its files
 * equal an undisturbed run's. Runs in a Spark session of its own, stopped at the end.
 */
class TrainRetryTest {
    @Test
    void aTaskRetriedAfterAFailedFirstAttemptCountsTwoAttemptsAndChangesNothing(@TempDir Path tmp) throws Exception {
        // local[N, F]: F attempts per task (local mode ignores spark.task.maxFailures), so a session of its own
        if (SparkSession.getDefaultSession().isDefined()) {
            SparkSession.getDefaultSession().get().stop();
        }
        SparkSession spark = SparkSession.builder().master("local[2,2]").appName("sdti-retry-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        try {
            Path images = tmp.resolve("images");
            JobFixtures.twoConcepts(images);
            String model = FailOnceFileSystem.SCHEME + "://" + TestData.tinyModel().toAbsolutePath();
            Path retried = job(tmp.resolve("retried"), model, images);
            assertEquals(0, JobFixtures.run("prepare", "--config", retried.toString()).code());
            assertEquals(0, JobFixtures.run("latents", "--config", retried.toString()).code());
            Path calm = job(tmp.resolve("calm"), model, images);
            TrainJobTest.copy(tmp.resolve("retried/out/_data"), tmp.resolve("calm/out/_data"));

            FailOnceFileSystem.arm("unet/diffusion_pytorch_model.safetensors");
            StageReport r = TrainJob.run(JobConfig.load(retried.toFile(), Map.of()), spark);
            assertTrue(FailOnceFileSystem.fired(), "the first train task read the U-Net and failed");
            StageReport.ConceptResult cat = TrainJobTest.result(r, "cat-toy");
            assertEquals("done", cat.status().name().toLowerCase(), String.valueOf(cat.reason()));
            assertEquals(2L, cat.counts().get("attempts"), "round 1's task ran twice");
            assertEquals(2L, cat.counts().get("steps"), "each step counted once");
            assertEquals(2L, r.counters().get("replica_steps"), "the failed attempt took no step");

            StageReport c = TrainJob.run(JobConfig.load(calm.toFile(), Map.of()), spark);
            assertEquals(1L, TrainJobTest.result(c, "cat-toy").counts().get("attempts"));
            assertEquals(TrainJobTest.contents(tmp.resolve("calm/out/cat-toy")),
                    TrainJobTest.contents(tmp.resolve("retried/out/cat-toy")));
        } finally {
            spark.stop();
        }
    }

    private static Path job(Path dir, String model, Path images) throws Exception {
        Files.createDirectories(dir);
        Path f = dir.resolve("job.conf");
        Files.writeString(f, "sdti {\n  model = \"" + model + "\"\n  output = \"" + dir.resolve("out") + "\"\n"
                + "  hadoop { \"fs." + FailOnceFileSystem.SCHEME + ".impl\" = \""
                + FailOnceFileSystem.class.getName() + "\" }\n"
                + "  concepts = [{ token = \"<cat-toy>\", init = \"toy\", images = \"" + images.resolve("cat")
                + "\", vectors = 2 }]\n"
                + "  train { steps = 2, average-every = 1, lr = 1e-2, seed = 4, validation.images = 0 }\n}\n");
        return f;
    }
}
