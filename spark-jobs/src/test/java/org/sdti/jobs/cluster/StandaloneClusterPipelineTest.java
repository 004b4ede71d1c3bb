package org.sdti.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.sdti.jobs.testing.ClusterSubmission;
import org.sdti.jobs.testing.OutputComparison;
import org.sdti.jobs.testing.ProcessTrees;
import org.sdti.jobs.testing.StandaloneCluster;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.testing.TestData;

/**
 * {@code pipeline} on a real Spark standalone cluster: a master and two workers, each its own JVM on 127.0.0.1
 * ({@code deploy/standalone/local-cluster}, from spark-jobs/target: build it with {@code mvn package -DskipTests}
 * first), submitted through {@code deploy/sdti-submit} and Spark's launcher with two executors of 2 cores. Two
 * concepts × 2 replicas on the tiny fixture. Its outputs are compared byte for byte ({@link OutputComparison}) with
 * the same job run by {@code bin/sdti} in local mode, and then with runs that lose an executor ({@code kill -9} while
 * a task of latents, train or generate runs: Spark retries the task) or the driver (killed in train; the rerun
 * resumes from the last round). Executors have 2 cores as local mode's tasks have: with 1 core per executor every
 * embedding, loss and image differed from local mode (issue 15: ND4J's results depend on the threads per op), so
 * bit-equality holds for equal cores per task only. Slow: about 7 pipeline runs.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // local mode first, then train's kills: the main results first
class StandaloneClusterPipelineTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Cores per executor and per local-mode task (OMP threads): equal, or results differ in rounding. */
    private static final int CORES = 2;
    /** A pipeline run on a busy 2-core machine took up to half an hour. */
    private static final Duration RUN = Duration.ofMinutes(60);

    /** Runs, logs and the cluster's folder: under target/, kept after the run to read when something failed. */
    private static final Path WORK = ROOT.resolve("spark-jobs/target/standalone-cluster-test");
    private StandaloneCluster cluster;
    private Path undisturbed;

    @BeforeAll
    void clusterAndUndisturbedRun() throws Exception {
        requireFreshJar();
        if (Files.exists(WORK)) {
            try (Stream<Path> old = Files.walk(WORK)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(WORK);
        cluster = StandaloneCluster.start(WORK.resolve("cluster"), CORES, 2);
        undisturbed = WORK.resolve("undisturbed");
        try (ClusterSubmission run = submit("undisturbed")) {
            assertEquals(0, run.awaitExit(RUN), run.text());
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close(); // fails if a process or port is left
        }
    }

    @Test
    @Order(1)
    void pipelineOnTwoWorkerJvmsEqualsLocalModeByteForByteButForOutputPathsAndTimes() throws Exception {
        Path local = WORK.resolve("local");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("bin/sdti").toString(), "pipeline", "--config",
                job("local", "  spark.master = \"local[" + CORES + "]\"\n").toString())
                .redirectErrorStream(true).redirectOutput(WORK.resolve("local.log").toFile());
        pb.environment().putAll(java.util.Map.of("OMP_NUM_THREADS", Integer.toString(CORES), "SDTI_HEAP", "1g",
                "SDTI_OFFHEAP", "2g"));
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(RUN.toMinutes(), TimeUnit.MINUTES), "local run timed out");
        } finally {
            ProcessTrees.killAll(ProcessTrees.tree(p.pid()), Duration.ofSeconds(10));
        }
        assertEquals(0, p.exitValue(), Files.readString(WORK.resolve("local.log")));
        // local mode writes latents in 2 Parquet parts per concept (its 2 task slots), the cluster in 4
        assertEquals(List.of(), OutputComparison.acrossParallelism(TestSpark.session(), local, undisturbed));
        assertDone(undisturbed);
    }

    @Test
    @Order(4)
    void executorKilledWhileALatentsTaskRuns_taskRetriedOutputsAndCountsEqualTheUndisturbedRun() throws Exception {
        killAnExecutorDuring("latents", "pipeline: latents of");
    }

    @Test
    @Order(2)
    void executorKilledInTrainRound2_taskRetriedOutputsStepCountsAndLossesEqualTheUndisturbedRun() throws Exception {
        killAnExecutorDuring("train", "train: round 1: ");
    }

    @Test
    @Order(5)
    void executorKilledWhileAGenerateTaskRuns_taskRetriedImagesAndImageCountsEqualTheUndisturbedRun()
            throws Exception {
        killAnExecutorDuring("generate", "pipeline: generate of");
    }

    @Test
    @Order(3)
    void driverKilledInTrainRound2_rerunResumesFromRound1AndEndsByteIdentical() throws Exception {
        Path out = WORK.resolve("driver-killed");
        try (ClusterSubmission killed = submit("driver-killed")) {
            killed.awaitLine("train: round 1: ", 0, RUN);
            killed.killDriver();
            assertEquals(137, killed.awaitExit(Duration.ofMinutes(1)), "killed by SIGKILL");
        }
        assertTrue(Files.isRegularFile(out.resolve("gizmo/checkpoints/state-000002.safetensors")));
        try (ClusterSubmission rerun = submit("driver-killed")) {
            assertEquals(0, rerun.awaitExit(RUN), rerun.text());
            for (String concept : List.of("gizmo", "ember")) {
                long from = Long.parseLong(rerun.awaitLine("resuming " + concept + " from step (\\d+)", 0,
                        Duration.ZERO).match().group(1));
                assertTrue(from == 2 || from == 4, "from the last round's checkpoint: " + from);
                JsonNode train = report(out, "train").path("concepts");
                for (JsonNode c : train) {
                    if (c.path("concept").asText().equals(concept)) {
                        assertEquals(4, c.path("steps").asLong());
                        assertEquals(4 - from, c.path("trained").asLong(), "each step trained once: " + c);
                    }
                }
            }
        }
        // the rerun's reports say what it did (resumed, the earlier stages up to date); the results are the same
        assertEquals(List.of(), OutputComparison.acrossParallelism(TestSpark.session(), undisturbed, out,
                "_reports"));
        assertDone(out);
    }

    /**
     * Submits the job, waits for {@code after} in the driver's log, then kills with SIGKILL the executor running a
     * task of the stage (the first task Spark's log shows started and not yet finished), and checks that Spark lost
     * that task and the job ended as the undisturbed run: every output and every report (counts of steps, images,
     * examples, rounds) equal.
     */
    private void killAnExecutorDuring(String stage, String after) throws Exception {
        Path out = WORK.resolve("executor-killed-in-" + stage);
        try (ClusterSubmission run = submit(out.getFileName().toString())) {
            int from = run.awaitLine(after, 0, RUN).index();
            ClusterSubmission.Hit start;
            while (true) {
                start = run.awaitLine("Starting task \\S+ in stage \\S+ \\(TID (\\d+)\\) \\(.*executor (\\d+)", from,
                        RUN);
                String finished = "(TID " + start.match().group(1) + ") in ";
                if (run.lines().stream().noneMatch(l -> l.contains("Finished task") && l.contains(finished))) {
                    break;
                }
                from = start.index() + 1;
            }
            String executor = start.match().group(2);
            ProcessTrees.killAll(ProcessTrees.tree(cluster.executorPid(executor)), Duration.ofSeconds(30));
            assertEquals(0, run.awaitExit(RUN), run.text());
            int done = run.awaitLine("pipeline: " + stage + " done", 0, Duration.ZERO).index();
            assertTrue(start.index() < done, "killed during " + stage);
            // the executor was running a task of the stage: Spark lost it and ran it again elsewhere (Spark words it
            // "Lost task ... executor N", or, when it sees the exit before the task's failure, "(TID n) failed
            // because while it was being computed, its executor exited")
            run.awaitLine("Lost task .*executor " + executor + "\\b|\\(TID " + start.match().group(1)
                    + "\\) failed because .*its executor exited", start.index(), Duration.ZERO);
        }
        assertEquals(List.of(), OutputComparison.acrossParallelism(TestSpark.session(), undisturbed, out));
        assertDone(out);
    }

    private ClusterSubmission submit(String name) throws IOException {
        return ClusterSubmission.submit(cluster, CORES, WORK.resolve(name + ".log"), "pipeline", "--config",
                job(name, "").toString());
    }

    /** Both concepts done, 4 steps each, 2 images each, and the 2 images of the prompt without a concept. */
    private static void assertDone(Path out) throws IOException {
        JsonNode pipeline = report(out, "pipeline");
        assertEquals("done", pipeline.path("status").asText(), pipeline.toString());
        for (JsonNode c : pipeline.path("concepts")) {
            assertEquals(4, c.path("outputs").path("steps").asLong(), c.toString());
            assertEquals(2, c.path("outputs").path("images").asLong(), c.toString());
        }
        assertEquals(2, pipeline.path("other_results").get(0).path("images").asLong());
    }

    private static JsonNode report(Path out, String stage) throws IOException {
        return JSON.readTree(out.resolve("_reports/" + stage + ".json").toFile());
    }

    /** The job: the two sample concepts, 2 rounds of 2 steps with 2 replicas, 6 images; output {@code WORK/name}. */
    private Path job(String name, String extra) throws IOException {
        Path concepts = ROOT.resolve("conf/examples/concepts");
        Path f = WORK.resolve("job-" + name + ".conf");
        Files.writeString(f, "sdti {\n"
                + "  model = \"" + TestData.tinyModel() + "\"\n"
                + "  output = \"" + WORK.resolve(name) + "\"\n"
                + "  concepts = [\n"
                + "    { token = \"<gizmo>\", init = \"shape\", images = \"" + concepts.resolve("gizmo") + "\" }\n"
                + "    { token = \"<ember>\", init = \"colour\", images = \"" + concepts.resolve("ember")
                + "\", property = style }\n"
                + "  ]\n"
                + "  train { steps = 4, average-every = 2, replicas = 2, validation { images = 1, steps = 2 } }\n"
                + "  generate {\n"
                + "    prompts = [\"a photo of a <gizmo>\", \"a house in <ember>\", \"a plain red square\"]\n"
                + "    seeds = [1, 2]\n"
                + "    steps = 2\n"
                + "  }\n"
                + extra
                + "}\n");
        return f;
    }

    /** The cluster runs spark-jobs/target/sdti.jar: it must hold the classes this build compiled. */
    private static void requireFreshJar() throws IOException {
        Path jar = ROOT.resolve("spark-jobs/target/sdti.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn -B -ntp package -DskipTests first");
        FileTime built = Files.getLastModifiedTime(jar);
        for (String module : List.of("model", "data-prep", "spark-jobs")) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(module + "/target/classes"))) {
                List<Path> newer = s.filter(p -> p.toString().endsWith(".class")).filter(p -> {
                    try {
                        return Files.getLastModifiedTime(p).compareTo(built) > 0;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).limit(3).toList();
                assertEquals(List.of(), newer, jar + " is older than these classes: run mvn -B -ntp package "
                        + "-DskipTests first");
            }
        }
    }
}
