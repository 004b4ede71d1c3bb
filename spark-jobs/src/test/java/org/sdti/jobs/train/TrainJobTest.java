package org.sdti.jobs.train;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.generate.FileHashes;
import org.sdti.jobs.runtime.HadoopConf;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.JavaBytes;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.ModelIds;
import org.sdti.jobs.runtime.ModelRef;
import org.sdti.jobs.runtime.OutputLayout;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.LogLines;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.inversion.AdamW;
import org.sdti.model.inversion.BatchSampler;
import org.sdti.model.inversion.Checkpoints;
import org.sdti.model.inversion.ConceptData;
import org.sdti.model.inversion.InversionGraph;
import org.sdti.model.inversion.InversionStep;
import org.sdti.model.inversion.LocalRound;
import org.sdti.model.inversion.NewToken;
import org.sdti.model.inversion.RowGradients;
import org.sdti.model.inversion.StepRecord;
import org.sdti.model.inversion.TrainerState;
import org.sdti.model.inversion.TrainingConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.io.OutputFolder;
import org.sdti.model.pipelines.StableDiffusion;
import org.sdti.model.schedulers.NoiseSchedule;
import org.sdti.model.schedulers.Prediction;
import org.sdti.model.testing.TestData;

/**
 * The Spark train stage on the tiny fixture: replica averaging against averaging by hand, resume and rerun
 * idempotence, R = 1 against the single-machine trainer, and a failing concept next to a healthy one.
 */
class TrainJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = TestData.tinyModel().toString();

    @TempDir
    static Path shared;
    private static SparkSession spark;
    /** prepare and latents of three concepts, done once; each test copies its _data. */
    private static Path prepared;

    @BeforeAll
    static void prepareOnce() throws IOException {
        spark = TestSpark.session();
        Path images = shared.resolve("images");
        JobFixtures.twoConcepts(images); // cat (2 usable pictures), broken (none)
        Path dog = Files.createDirectories(images.resolve("dog"));
        Files.write(dog.resolve("d.png"), JobFixtures.image(24, 24, 11, "png"));
        prepared = shared.resolve("prepared");
        Path job = job(shared, prepared, "", "    { token = \"<dog-thing>\", init = \"dog\", images = \""
                + images.resolve("dog") + "\" }\n");
        assertEquals(3, JobFixtures.run("prepare", "--config", job.toString()).code());
        assertEquals(3, JobFixtures.run("latents", "--config", job.toString()).code());
    }

    /** A job file over the shared images: cat-toy (2 vectors) and broken, then {@code more} concepts. */
    static Path job(Path dir, Path output, String extra, String more) throws IOException {
        Path images = shared.resolve("images");
        Files.createDirectories(dir);
        String text = "sdti {\n  model = \"" + MODEL + "\"\n  output = \"" + output + "\"\n"
                + "  concepts = [\n"
                + "    { token = \"<cat-toy>\", init = \"toy\", images = \"" + images.resolve("cat") + "\", vectors = 2 }\n"
                + "    { token = \"<broken>\", init = \"thing\", images = \"" + images.resolve("broken") + "\" }\n"
                + more + "  ]\n" + extra + "}\n";
        Path f = dir.resolve("job-" + Integer.toHexString(text.hashCode()) + ".conf");
        Files.writeString(f, text);
        return f;
    }

    /** A fresh output folder holding the prepared data. */
    static Path output(Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        copy(prepared.resolve("_data"), out.resolve("_data"));
        return out;
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    static StageReport train(Path job) throws IOException {
        return TrainJob.run(JobConfig.load(job.toFile(), Map.of()), spark);
    }

    static StageReport.ConceptResult result(StageReport r, String concept) {
        return r.concepts().stream().filter(c -> c.concept().equals(concept)).findFirst().orElseThrow();
    }

    static TrainerState checkpoint(Path conceptDir, long step) throws IOException {
        return new Checkpoints(OutputFolder.open(conceptDir.toString(), new Configuration())).load(step).state();
    }

    static StableDiffusion model() throws IOException {
        return ModelCache.stableDiffusion(ModelRef.of(ModelFolder.open(MODEL)), HadoopConf.of(new Configuration(),
                Map.of()));
    }

    /** The cat concept's data exactly as the job reads it. */
    static ConceptData catData(Path out) throws IOException {
        ModelFolder folder = ModelFolder.open(MODEL);
        OutputLayout layout = OutputLayout.open(out.toString(), new Configuration());
        byte[] b = TrainingData.read(spark, layout, List.of("cat-toy"), ModelIds.of(folder, ModelFolder.VAE),
                folder.vaeConfig().scalingFactor(), Isolation.NONE).collectAsMap().get("cat-toy");
        return JavaBytes.read(b, TrainingData.Built.class).data();
    }

    /**
     * Issue 15 (scale-bench): a round runs one task per group of units, but hands out the units' states and averages
     * their results in no more tasks than run at once (a task per group there cost a scheduled task per concept and
     * round for a few KB).
     */
    @Test
    void aRoundTrainsATaskPerGroupButSchedulesStatesAndAveragingOnAsManyTasksAsRunAtOnce(@TempDir Path tmp)
            throws Exception {
        Path out = output(tmp);
        List<String> stages = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) {
                if (e.properties().getProperty("spark.job.description", "").startsWith("sdti train: round")) {
                    scala.jdk.javaapi.CollectionConverters.asJava(e.stageInfos()).forEach(s -> stages.add(
                            s.name().substring(0, s.name().indexOf(" at ")) + " " + s.numTasks()));
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        StageReport r;
        try {
            r = train(job(tmp, out, "  train { replicas = 2, steps = 2, average-every = 2, validation.images = 0 }\n",
                    "    { token = \"<dog-thing>\", init = \"dog\", images = \"" + shared.resolve("images/dog")
                            + "\" }\n"));
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        assertEquals(2, r.done(), r.table());
        assertEquals(1, r.counters().get("rounds"));
        // 2 concepts x 2 replicas: 4 groups of one unit train in 4 tasks; local[2] runs 2 tasks at once
        assertTrue(stages.contains("mapPartitionsToPair 4"), stages.toString());
        assertTrue(stages.contains("parallelizePairs 2"), "the units' states: " + stages);
        assertTrue(stages.contains("collectAsMap 2"), "the averaging: " + stages);
    }

    @Test
    void replicasAreAveragedAsByHandAResumedRunEqualsItAndARerunChangesNothing(@TempDir Path tmp)
            throws IOException {
        Path out = output(tmp);
        String settings = "  train { replicas = 2, average-every = 2, lr = 1e-2, seed = 5, batch-size = 2, "
                + "validation.images = 0, steps = ";
        // two rounds, the second after a rerun with more steps (as a job killed after its first round)
        StageReport first = train(job(tmp, out, settings + "2 }\n", ""));
        assertEquals("done", result(first, "cat-toy").status().name().toLowerCase());
        assertTrue(result(first, "broken").reason().startsWith("not prepared"), result(first, "broken").reason());
        assertEquals(4, first.counters().get("replica_steps"), "2 replicas x 2 steps");
        long graphs = ModelCache.built();
        StageReport second;
        List<String> log;
        try (LogLines lines = LogLines.of(TrainJob.class)) {
            second = train(job(tmp, out, settings + "4 }\n", ""));
            log = lines.lines();
        }
        assertEquals(graphs, ModelCache.built(), "the second run's tasks reuse the first one's graphs");
        StageReport.ConceptResult cat = result(second, "cat-toy");
        assertEquals("resumed", cat.action());
        assertEquals(4L, cat.counts().get("steps"));
        assertEquals(2L, cat.counts().get("trained"));
        // the resume is announced and the rounds go on from the checkpoint's (steps 3-4 are round 2)
        assertTrue(log.stream().anyMatch(l -> l.startsWith("train: resuming cat-toy from step 2 (")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("train cat-toy: round 2, steps 3-4 of 4")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.matches("train: round 2: 1 of 2 concepts done, 1 failed, "
                + "[0-9.]+ steps/s; round [0-9.]+ s: Spark job [0-9.]+ s \\(training steps in tasks [0-9.]+ s\\), "
                + "checkpoints and loss files [0-9.]+ s, validation and final files [0-9.]+ s")), log.toString());
        assertEquals(1, second.counters().get("rounds"), "one round run");
        // the round's time and its parts (issue 15): the tasks did train, within the job's time on the 2 slots
        Map<String, Long> c = second.counters();
        assertEquals(c.get("round_ms"), c.get("round_spark_ms") + c.get("round_writes_ms")
                + c.get("round_finish_ms"), 2.0, c.toString());
        assertTrue(c.get("round_task_steps_ms") > 0, c.toString());
        assertTrue(c.get("round_task_steps_ms") <= 2 * c.get("round_spark_ms") + 1, c.toString());

        // by hand: each replica's local round from the same start, then the mean of rows and both moments
        StableDiffusion sd = model();
        ConceptData data = catData(out);
        TrainingConfig cfg = JobConfig.load(job(tmp, out, settings + "4 }\n", "").toFile(), Map.of()).concepts()
                .get(0).train().trainingConfig();
        NoiseSchedule schedule = NoiseSchedule.from(sd.schedulerConfig());
        InversionGraph graph = InversionGraph.build(sd.textEncoder(), sd.unet(), 2, Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, sd.textEncoder().config().hiddenSize()),
                data.channels(), data.height(), data.width());
        LocalRound local = new LocalRound(new InversionStep(sd.textEncoder().embedding(), RowGradients.of(graph),
                schedule, Prediction.of(sd.schedulerConfig()), cfg, 2),
                BatchSampler.of(cfg, schedule.numTrainTimesteps()));
        TrainerState s = TrainerState.initial("cat-toy", 5, new NewToken("<cat-toy>", 2, "toy")
                .initialRows(sd.tokenizer(), sd.textEncoder().embedding()));
        List<Double> losses = new ArrayList<>();
        List<String> replicaLines = new ArrayList<>(List.of("step,replica,loss,gradient_norm"));
        for (int round = 0; round < 2; round++) {
            LocalRound.Result r0 = local.run(s, data, 0, 2);
            LocalRound.Result r1 = local.run(s, data, 1, 2);
            assertNotEquals(r0.state().optimizer(), r1.state().optimizer(), "replicas draw different samples");
            AdamW.State a = r0.state().optimizer();
            AdamW.State b = r1.state().optimizer();
            s = s.withOptimizer(new AdamW.State(mean(a.params(), b.params()), mean(a.m(), b.m()),
                    mean(a.v(), b.v()), a.step()));
            for (int i = 0; i < 2; i++) {
                losses.add((r0.steps().get(i).loss() + r1.steps().get(i).loss()) / 2);
                for (LocalRound.Result r : List.of(r0, r1)) {
                    StepRecord x = r.steps().get(i);
                    replicaLines.add(x.step() + "," + (r == r0 ? 0 : 1) + "," + x.loss() + "," + x.gradientNorm());
                }
            }
            assertEquals(s.optimizer(), checkpoint(out.resolve("cat-toy"), s.step()).optimizer(),
                    "round " + (round + 1) + ": rows and moments bit for bit");
        }
        List<String> csv = Files.readAllLines(out.resolve("cat-toy/loss.csv"));
        assertEquals(5, csv.size());
        // the final smoothed loss in the report and its table
        double loss = Double.parseDouble(csv.get(4).split(",")[2]);
        assertEquals(loss, cat.metrics().get("loss"), 0.0);
        assertTrue(second.table().lines().anyMatch(l -> l.startsWith("cat-toy") && l.contains(
                String.format(java.util.Locale.ROOT, "%.4f", loss))), second.table());
        assertTrue(second.table().lines().findFirst().orElseThrow().contains("loss"), second.table());
        for (int i = 0; i < 4; i++) {
            assertEquals(losses.get(i), Double.parseDouble(csv.get(i + 1).split(",")[1]), 0.0, csv.get(i + 1));
        }
        assertEquals(replicaLines, Files.readAllLines(out.resolve("cat-toy/loss-replicas.csv")));
        float[] embedded = EmbeddingFiles.read(out.resolve("cat-toy/learned_embeds.safetensors")).flat();
        assertArrayEquals(s.rows(), embedded);
        JsonNode report = JSON.readTree(out.resolve("_reports/train.json").toFile());
        assertEquals(3, report.path("exit_code").asInt());

        // the same job again: nothing to do, no file touched
        Map<String, String> before = JobFixtures.tree(out.resolve("cat-toy"));
        StageReport again = train(job(tmp, out, settings + "4 }\n", ""));
        assertEquals("up-to-date", result(again, "cat-toy").action());
        assertEquals(0, again.counters().get("replica_steps"));
        assertEquals(before, JobFixtures.tree(out.resolve("cat-toy")));
        // other settings are refused for that concept, naming the difference
        StageReport other = train(job(tmp, out, settings.replace("lr = 1e-2", "lr = 2e-2") + "6 }\n", ""));
        assertTrue(result(other, "cat-toy").reason().contains("learning_rate 0.01 where this run has 0.02"),
                result(other, "cat-toy").reason());
        assertEquals(4L, result(other, "cat-toy").counts().get("steps"), "the refused checkpoint's step");
        assertEquals(before, JobFixtures.tree(out.resolve("cat-toy")));
        // other examples (as prepare and latents commit them after the pictures change) are refused too
        Path prep = out.resolve("_data/_commits/prepare/cat-toy.json");
        Path lat = out.resolve("_data/_commits/latents/cat-toy.json");
        String fp = JSON.readTree(prep.toFile()).path("fingerprint").asText();
        Files.writeString(prep, Files.readString(prep).replace(fp, "0123456789abcdef0123456789abcdef"));
        Files.writeString(lat, Files.readString(lat).replace(fp, "0123456789abcdef0123456789abcdef"));
        StageReport changed = train(job(tmp, out, settings + "4 }\n", ""));
        assertTrue(result(changed, "cat-toy").reason().contains("it was trained on other examples (prepare "
                + "fingerprint " + fp + ", now 0123456789abcdef0123456789abcdef"), result(changed, "cat-toy").reason());
        assertEquals(before, JobFixtures.tree(out.resolve("cat-toy")));
    }

    @Test
    void keepLastKeepsTheNewestCheckpointsAndAResumeAfterDeletionEqualsAnUninterruptedRun(@TempDir Path tmp)
            throws IOException {
        String settings = "  train { lr = 1e-2, seed = 3, average-every = 1, keep-last = 2, validation.images = 0, "
                + "steps = ";
        Path whole = output(tmp.resolve("whole"));
        StageReport w = train(job(tmp.resolve("whole"), whole, settings + "6 }\n", ""));
        StageReport.ConceptResult cat = result(w, "cat-toy");
        assertEquals("trained", cat.action());
        assertEquals(6, w.counters().get("rounds"));
        assertEquals(List.of("learned_embeds-000005.safetensors", "learned_embeds-000006.safetensors",
                "state-000005.safetensors", "state-000006.safetensors"), names(whole.resolve("cat-toy/checkpoints")),
                "the newest 2 of 6 round checkpoints, the final one among them");
        // a normal run: every task ran once, and the concept's rounds took time
        assertEquals(1L, cat.counts().get("attempts"));
        assertTrue(cat.metrics().get("seconds") > 0, cat.metrics().toString());
        assertEquals(0L, result(w, "broken").counts().get("attempts"), "it ran no round");
        // the threads per op its results were made with (local mode: this JVM's; 0 for no round)
        assertEquals((long) org.sdti.jobs.runtime.TaskThreads.current(), cat.counts().get("threads_per_task"));
        assertTrue(cat.counts().get("threads_per_task") >= 1);
        assertEquals(0L, result(w, "broken").counts().get("threads_per_task"));
        String header = w.table().lines().findFirst().orElseThrow();
        assertTrue(header.contains("attempts") && header.contains("seconds"), w.table());

        // the same concept stopped after step 3 (its checkpoint 1 already deleted) and rerun to 6
        Path parts = output(tmp.resolve("parts"));
        train(job(tmp.resolve("parts"), parts, settings + "3 }\n", ""));
        assertEquals(List.of("learned_embeds-000002.safetensors", "learned_embeds-000003.safetensors",
                "state-000002.safetensors", "state-000003.safetensors"), names(parts.resolve("cat-toy/checkpoints")));
        // and an embedding file a kill left between deleting a step's two files goes with the next round
        Files.copy(parts.resolve("cat-toy/checkpoints/learned_embeds-000002.safetensors"),
                parts.resolve("cat-toy/checkpoints/learned_embeds-000001.safetensors"));
        StageReport p = train(job(tmp.resolve("parts"), parts, settings + "6 }\n", ""));
        assertEquals("resumed", result(p, "cat-toy").action());
        assertEquals(3L, result(p, "cat-toy").counts().get("trained"));
        assertEquals(contents(whole.resolve("cat-toy")), contents(parts.resolve("cat-toy")),
                "checkpoints, loss curve and embedding byte for byte");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** Each file under {@code root} by its SHA-256. */
    static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(f)) {
                    out.put(root.relativize(f).toString(), FileHashes.sha256(Files.readAllBytes(f)));
                }
            }
        }
        return out;
    }

    static float[] mean(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (((double) a[i] + b[i]) / 2);
        }
        return out;
    }

    @Test
    void oneReplicaEqualsTheSingleMachineTrainer(@TempDir Path tmp) throws IOException {
        Path out = output(tmp);
        String settings = "  train { steps = 3, average-every = 2, lr = 1e-2, seed = 7, a1111 = true, "
                + "validation { images = 1, steps = 2, prompts = [\"a {} on a table\"] } }\n";
        StageReport r = train(job(tmp, out, settings, ""));
        assertEquals("trained", result(r, "cat-toy").action());

        Path local = tmp.resolve("local");
        JobFixtures.Result l = JobFixtures.run("train", "--model", MODEL, "--images",
                shared.resolve("images/cat").toString(), "--token", "<cat-toy>", "--init-token", "toy", "--vectors",
                "2", "--steps", "3", "--checkpoint-every", "2", "--lr", "1e-2", "--seed", "7", "--a1111",
                "--validation-prompt", "a {} on a table", "--validation-images", "1", "--validation-steps", "2",
                "--output", local.toString());
        assertEquals(0, l.code(), l.err());

        Path cat = out.resolve("cat-toy");
        for (long step : List.of(2L, 3L)) {
            assertEquals(checkpoint(local, step).optimizer(), checkpoint(cat, step).optimizer(), "step " + step);
        }
        assertEquals(Files.readString(local.resolve("loss.csv")), Files.readString(cat.resolve("loss.csv")));
        assertArrayEquals(EmbeddingFiles.read(local.resolve("learned_embeds.safetensors")).flat(),
                EmbeddingFiles.read(cat.resolve("learned_embeds.safetensors")).flat());
        assertArrayEquals(EmbeddingFiles.read(local.resolve("cat-toy.pt")).flat(),
                EmbeddingFiles.read(cat.resolve("cat-toy.pt")).flat());
        BufferedImage a = ImageIO.read(local.resolve("validation/000003/00000.png").toFile());
        BufferedImage b = ImageIO.read(cat.resolve("validation/000003/00000.png").toFile());
        assertEquals(a.getWidth(), b.getWidth());
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                assertEquals(a.getRGB(x, y), b.getRGB(x, y), "validation pixel " + x + "," + y);
            }
        }
    }

    @Test
    void aFailingConceptIsReportedAndTheOthersFinish(@TempDir Path tmp) throws IOException {
        Path empty = tmp.resolve("empty");
        String dog = "    { token = \"<dog-thing>\", init = \"dog\", images = \"" + shared.resolve("images/dog")
                + "\" }\n";
        String settings = "  train { replicas = 2, units-per-pass = 2, average-every = 1, steps = 2, lr = 1e-2, "
                + "validation.images = 0 }\n";
        JobFixtures.Result none = JobFixtures.run("train", "--config", job(tmp, empty, settings, dog).toString());
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("run `sdti prepare --config JOB` first"), none.err());

        // the dog's latents become NaN: its loss is NaN at the first step
        Path out = output(tmp);
        Path dogLatents = out.resolve("_data/latents/concept=dog-thing");
        Path poisoned = tmp.resolve("poisoned");
        spark.read().parquet(dogLatents.toString())
                .withColumn("mean", expr("transform(mean, x -> CAST('NaN' AS FLOAT))"))
                .write().mode(SaveMode.ErrorIfExists).parquet(poisoned.toString());
        try (Stream<Path> s = Files.walk(dogLatents)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        copy(poisoned, dogLatents);

        JobFixtures.Result r;
        List<String> log;
        try (LogLines lines = LogLines.of(TrainJob.class)) {
            r = JobFixtures.run("train", "--config", job(tmp, out, settings, dog).toString());
            log = lines.lines();
        }
        assertEquals(3, r.code(), r.out() + r.err());
        // the concepts are counted as each ends: the dog's failure in round 1, not after the last round
        List<String> rounds = log.stream().filter(l -> l.startsWith("train: round ")).toList();
        assertEquals(2, rounds.size(), log.toString());
        assertTrue(rounds.get(0).startsWith("train: round 1: 0 of 3 concepts done, 2 failed, "), rounds.toString());
        assertTrue(rounds.get(1).startsWith("train: round 2: 1 of 3 concepts done, 2 failed, "), rounds.toString());
        assertTrue(r.out().contains("cat-toy") && r.out().contains("train: 1 of 3 concepts done, 2 failed"), r.out());
        JsonNode report = JSON.readTree(out.resolve("_reports/train.json").toFile());
        JsonNode concepts = report.path("concepts");
        assertEquals("done", concepts.get(0).path("status").asText());
        assertEquals(2, concepts.get(0).path("steps").asLong());
        assertEquals("failed", concepts.get(1).path("status").asText());
        assertTrue(concepts.get(1).path("reason").asText().startsWith("not prepared"), concepts.toString());
        JsonNode failed = concepts.get(2);
        assertEquals("dog-thing", failed.path("concept").asText());
        assertEquals("failed", failed.path("status").asText());
        assertTrue(failed.path("reason").asText().contains("the loss is NaN at step 1")
                && failed.path("reason").asText().contains("no checkpoint had been written yet"), failed.toString());
        assertEquals(4, report.path("counters").path("replica_steps").asLong(), "only the cat's 2 x 2 steps");
        assertFalse(Files.exists(out.resolve("dog-thing/checkpoints")));
        List<String> csv = Files.readAllLines(out.resolve("cat-toy/loss.csv"));
        assertEquals(3, csv.size());
        for (String line : csv.subList(1, 3)) {
            assertTrue(Double.isFinite(Double.parseDouble(line.split(",")[1])), line);
        }
        assertTrue(Files.exists(out.resolve("cat-toy/learned_embeds.safetensors")));
    }

    /**
     * Issue 16: an Error in a concept's task work fails that concept alone: in its second round (it keeps the
     * checkpoint of its first), then in its validation images (a rerun resumes it; the fault gone, the next rerun
     * finishes it), while the cat ends, file for file, as in a run without the dog.
     */
    @Test
    void anErrorInOneConceptsTaskFailsItAlone(@TempDir Path tmp) throws IOException {
        String settings = "  train { steps = 4, average-every = 2, lr = 1e-2, validation { images = 1, steps = 2 } }\n";
        Path alone = output(tmp.resolve("alone"));
        assertEquals(0, TrainJob.run(concepts(tmp, alone, settings, cat()), spark).exitCode());
        Path out = output(tmp.resolve("both"));
        JobConfig both = concepts(tmp, out, settings, cat() + dog());

        StageReport r = TrainJob.run(both, spark, Isolation.injecting(unit -> unit.contains("dog-thing/0 from step 2")
                ? new OutOfMemoryError("injected") : null));
        assertEquals(3, r.exitCode());
        assertEquals(StageReport.Status.DONE, result(r, "cat-toy").status());
        String reason = result(r, "dog-thing").reason();
        assertTrue(reason.startsWith("training failed: java.lang.OutOfMemoryError: injected; the last good "
                + "checkpoint is kept: ") && reason.endsWith("state-000002.safetensors"), reason);
        assertEquals(hashes(alone.resolve("cat-toy")), hashes(out.resolve("cat-toy")));
        assertEquals(2, checkpoint(out.resolve("dog-thing"), 2).step());

        r = TrainJob.run(both, spark, Isolation.injecting(unit -> unit.equals("validation dog-thing")
                ? new StackOverflowError("injected") : null));
        assertEquals(3, r.exitCode());
        reason = result(r, "dog-thing").reason();
        assertTrue(reason.startsWith("validation images failed: java.lang.StackOverflowError: injected; the last "
                + "good checkpoint is kept: ") && reason.endsWith("state-000004.safetensors"), reason);
        assertFalse(Files.exists(out.resolve("dog-thing/learned_embeds.safetensors")));

        assertEquals(0, TrainJob.run(both, spark).exitCode());
        assertTrue(Files.isRegularFile(out.resolve("dog-thing/learned_embeds.safetensors")));
        assertEquals(hashes(alone.resolve("cat-toy")), hashes(out.resolve("cat-toy")));
    }

    /**
     * Issue 16: an Error while a concept's training data is built on an executor (before any round) fails that
     * concept alone, with no checkpoint written; the other trains to the end, the report is written, and the fault
     * gone, a rerun trains the failed concept.
     */
    @Test
    void anErrorBuildingOneConceptsDataFailsItAlone(@TempDir Path tmp) throws IOException {
        String settings = "  train { steps = 2, lr = 1e-2, validation.images = 0 }\n";
        Path out = output(tmp.resolve("both"));
        JobConfig both = concepts(tmp, out, settings, cat() + dog());

        StageReport r = TrainJob.run(both, spark, Isolation.injecting(unit -> unit.equals("data dog-thing")
                ? new StackOverflowError("injected") : null));
        assertEquals(3, r.exitCode());
        assertEquals(StageReport.Status.DONE, result(r, "cat-toy").status());
        assertTrue(Files.isRegularFile(out.resolve("cat-toy/learned_embeds.safetensors")));
        assertEquals("reading its training data failed: java.lang.StackOverflowError: injected; no checkpoint had "
                + "been written yet", result(r, "dog-thing").reason());
        assertFalse(Files.exists(out.resolve("dog-thing/checkpoints")));
        JsonNode report = JSON.readTree(out.resolve("_reports/train.json").toFile());
        assertEquals("failed", report.path("concepts").get(1).path("status").asText(), report.toString());

        StageReport rerun = TrainJob.run(both, spark);
        assertEquals(0, rerun.exitCode());
        assertEquals("up-to-date", result(rerun, "cat-toy").action());
        assertTrue(Files.isRegularFile(out.resolve("dog-thing/learned_embeds.safetensors")));
    }

    /** The prepared fixture's cat (2 vectors, as prepared) as a job file's concept entry. */
    private static String cat() {
        return "    { token = \"<cat-toy>\", init = \"toy\", images = \"" + shared.resolve("images/cat")
                + "\", vectors = 2 }\n";
    }

    /** The prepared fixture's dog as a job file's concept entry. */
    private static String dog() {
        return "    { token = \"<dog-thing>\", init = \"dog\", images = \"" + shared.resolve("images/dog")
                + "\" }\n";
    }

    private static JobConfig concepts(Path dir, Path output, String extra, String concepts) throws IOException {
        Path f = dir.resolve(output.getParent().getFileName() + ".conf");
        Files.writeString(f, "sdti {\n  model = \"" + MODEL + "\"\n  output = \"" + output + "\"\n  concepts = [\n"
                + concepts + "  ]\n" + extra + "}\n");
        return JobConfig.load(f.toFile(), Map.of());
    }

    /** Every file under {@code root} (relative path → SHA-256 of its bytes). */
    private static Map<String, String> hashes(Path root) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(root.relativize(p).toString(),
                            org.sdti.jobs.generate.FileHashes.sha256(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }
}
