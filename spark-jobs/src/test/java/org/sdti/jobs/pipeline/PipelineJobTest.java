package org.sdti.jobs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.testing.TestData;

class PipelineJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @BeforeAll
    static void spark() {
        spark = TestSpark.session();
    }

    /** The two-concept job of {@link JobFixtures#twoConcepts} on the tiny model, with small stages. */
    static Path job(Path tmp) throws IOException {
        return JobFixtures.twoConceptJob(tmp, JobFixtures.SMALL_PIPELINE);
    }

    static JsonNode report(Path out) throws IOException {
        return JSON.readTree(out.resolve("_reports/pipeline.json").toFile());
    }

    @Test
    void aBrokenConceptFailsAndIsCarriedTheOtherIsDoneExitThree(@TempDir Path tmp) throws Exception {
        Path job = job(tmp);
        Path out = tmp.resolve("out");
        JobFixtures.Result r = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("pipeline: 1 of 2 concepts done, 1 failed"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("broken") && l.contains("failed (prepare)")), r.out());
        assertTrue(r.out().contains("broken: concept \"broken\" has no usable image"), r.out());
        assertTrue(r.out().contains("report: file:" + out.resolve("_reports/pipeline.json")), r.out());

        JsonNode report = report(out);
        assertEquals("partial", report.path("status").asText());
        assertEquals(3, report.path("exit_code").asInt());
        assertTrue(report.has("random_weights") && report.path("random_weights").isNull(), "the fixture's weights "
                + "were not made by init-model: " + report);
        assertFalse(r.out().contains("random weights"), r.out());
        assertEquals(PipelineJob.stageNames(), JSON.convertValue(report.path("stages").findValues("stage")
                .stream().map(JsonNode::asText).toList(), List.class));
        JsonNode cat = report.path("concepts").get(0);
        assertEquals("cat-toy", cat.path("concept").asText());
        assertEquals("done", cat.path("status").asText());
        assertEquals("prepared", cat.path("stages").path("prepare").path("action").asText());
        assertEquals(4, cat.path("stages").path("prepare").path("examples").asLong());
        assertEquals("encoded", cat.path("stages").path("latents").path("action").asText());
        assertEquals(4, cat.path("stages").path("latents").path("encoded").asLong());
        assertEquals("trained", cat.path("stages").path("train").path("action").asText());
        assertEquals(4, cat.path("stages").path("train").path("steps").asLong());
        assertEquals("rendered", cat.path("stages").path("generate").path("action").asText());
        assertEquals(2, cat.path("stages").path("generate").path("rendered").asLong());
        JsonNode outputs = cat.path("outputs");
        assertEquals("file:" + out.resolve("cat-toy/learned_embeds.safetensors"), outputs.path("embedding").asText());
        assertTrue(Files.isRegularFile(out.resolve("cat-toy/learned_embeds.safetensors")));
        assertEquals(4, outputs.path("steps").asLong());
        double loss = outputs.path("final_loss").asDouble();
        assertTrue(loss > 0 && Double.isFinite(loss), outputs.toString());
        assertEquals(lastSmoothedLoss(out.resolve("cat-toy/loss.csv")), loss, 0.0, "the loss curve's last value");
        assertEquals(2, outputs.path("images").asLong());
        try (var pngs = Files.list(out.resolve("cat-toy/images"))) {
            assertEquals(2, pngs.filter(p -> p.toString().endsWith(".png")).count());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("cat-toy") && l.contains(" done ")
                && l.contains(out.resolve("cat-toy/learned_embeds.safetensors").toString())
                && l.contains(out.resolve("cat-toy/images").toString())), r.out());
        // the prompt without a concept token is rendered too; the broken concept's prompt is not attempted
        assertEquals("_generate", report.path("other_results").get(0).path("name").asText());
        assertEquals("done", report.path("other_results").get(0).path("status").asText());
        try (var pngs = Files.list(out.resolve("_generate/images"))) {
            assertEquals(2, pngs.count());
        }
        assertFalse(Files.exists(out.resolve("broken/images")));
        JsonNode broken = report.path("concepts").get(1);
        assertEquals("failed", broken.path("status").asText());
        assertEquals("prepare", broken.path("failed_in").asText());
        assertTrue(broken.path("reason").asText().contains("has no usable image"), broken.toString());
        for (String stage : List.of("latents", "train", "generate")) {
            JsonNode skipped = broken.path("stages").path(stage);
            assertEquals("failed", skipped.path("status").asText(), stage);
            assertEquals("skipped", skipped.path("action").asText(), stage);
        }
        for (String stage : List.of("latents", "train")) {
            assertEquals("failed in prepare", broken.path("stages").path(stage).path("reason").asText(), stage);
        }
        // generate saw the broken concept's request and failed it with the reason, under its job-file index
        String why = broken.path("stages").path("generate").path("reason").asText();
        assertTrue(why.startsWith("concept broken failed in prepare: ") && why.contains("has no usable image"), why);
        List<JsonNode> manifest = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("_generate/manifest.jsonl"))) {
            manifest.add(JSON.readTree(line));
        }
        assertEquals(List.of(0, 0, 1, 1, 2, 2), manifest.stream().map(m -> m.path("request").asInt()).toList());
        JsonNode brokenRow = manifest.get(2);
        assertEquals("failed", brokenRow.path("status").asText());
        assertEquals(why, brokenRow.path("reason").asText());
        assertTrue(brokenRow.path("image").isNull());
        assertEquals("_generate", manifest.get(4).path("folder").asText());
        JsonNode generate = JSON.readTree(out.resolve("_reports/generate.json").toFile());
        assertEquals(1, generate.path("concepts_done").asInt(), "_generate is no concept");
        assertEquals(1, generate.path("concepts_failed").asInt());
        assertEquals(1, generate.path("others_done").asInt());
        assertTrue(broken.path("outputs").isMissingNode());
        assertTrue(report.path("model").asText().startsWith("file:/"), "qualified: " + report.path("model"));
        assertEquals(generate.path("model").asText(), report.path("model").asText(), "as in the stage reports");

        // the later stages never saw the failed concept
        JsonNode latents = JSON.readTree(out.resolve("_reports/latents.json").toFile());
        assertEquals(1, latents.path("concepts").size());
        assertEquals(4, spark.read().schema(Schemas.LATENTS).parquet(out.resolve("_data/latents").toString())
                .count());
    }

    @Test
    void badInputExitsTwoBeforeAnyWork(@TempDir Path tmp) throws Exception {
        JobFixtures.twoConcepts(tmp.resolve("images"));
        Path out = tmp.resolve("out");
        String images = tmp.resolve("images").toString();
        // a generate setting is checked before prepare starts, not after training
        Path job = JobFixtures.jobFile(tmp, TestData.tinyModel().toString(), images, out.toString(),
                "  generate.embeddings = [\"" + tmp.resolve("nowhere.safetensors") + "\"]\n");
        JobFixtures.Result r = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("sdti.generate.embeddings[0]") && r.err().contains("nowhere.safetensors"),
                r.err());
        assertFalse(Files.exists(out), "nothing written");

        job = JobFixtures.jobFile(tmp, TestData.tinyModel().toString(), images, out.toString(), "  train.stepz = 3\n");
        r = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("sdti.train.stepz"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void whenEveryConceptFailsTrainingIsSkippedAndGenerateStillReportsEveryRequest(@TempDir Path tmp)
            throws Exception {
        JobFixtures.twoConcepts(tmp.resolve("images"));
        Path out = tmp.resolve("out");
        Path job = tmp.resolve("broken.conf");
        Files.writeString(job, "sdti {\n  model = \"" + TestData.tinyModel() + "\"\n  output = \"" + out + "\"\n"
                + "  concepts = [{ token = \"<broken>\", init = \"thing\", images = \"" + tmp.resolve("images/broken")
                + "\" }]\n" + JobFixtures.SMALL_PIPELINE + "}\n");
        JobFixtures.Result r = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        JsonNode report = report(out);
        assertEquals("failed", report.path("status").asText());
        Map<String, String> stages = new java.util.TreeMap<>();
        report.path("stages").forEach(st -> stages.put(st.path("stage").asText(), st.path("status").asText()));
        assertEquals(Map.of("prepare", "partial", "latents", "skipped", "train", "skipped", "generate", "partial"),
                stages);
        JsonNode broken = report.path("concepts").get(0);
        assertEquals("failed in prepare", broken.path("stages").path("train").path("reason").asText());
        assertFalse(Files.exists(out.resolve("_reports/train.json")), "train never ran");
        assertTrue(r.out().contains("train skipped"), r.out());
        // never a silent skip: the broken concept's requests are listed failed, the others rendered
        List<String> manifest = Files.readAllLines(out.resolve("_generate/manifest.jsonl"));
        assertEquals(6, manifest.size(), String.join("\n", manifest));
        long failedRows = manifest.stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(n -> n.path("status").asText().equals("failed")).peek(n -> assertTrue(
                n.path("reason").asText().contains("concept broken failed in prepare"), n.toString())).count();
        assertEquals(2, failedRows, String.join("\n", manifest));
        try (var images = Files.list(out.resolve("_generate/images"))) {
            assertEquals(4, images.filter(p -> p.toString().endsWith(".png")).count());
        }
    }

    static double lastSmoothedLoss(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertEquals("step,loss,smoothed_loss,learning_rate,gradient_norm", lines.get(0));
        return Double.parseDouble(lines.get(lines.size() - 1).split(",")[2]);
    }

    @Test
    void aRerunRedoesNothingAndChangesNoFile(@TempDir Path tmp) throws Exception {
        Path job = job(tmp);
        Path out = tmp.resolve("out");
        assertEquals(3, JobFixtures.run("pipeline", "--config", job.toString()).code());
        Map<String, String> before = JobFixtures.snapshot(out, "_reports");
        JobFixtures.Result again = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(3, again.code(), again.out() + again.err());
        assertEquals(before, JobFixtures.snapshot(out, "_reports"), "no file written, rewritten or deleted");
        JsonNode cat = report(out).path("concepts").get(0);
        for (String stage : List.of("prepare", "latents")) {
            assertEquals("up-to-date", cat.path("stages").path(stage).path("action").asText(), stage);
        }
    }

    @Test
    void aKilledRunIsResumedWithoutRedoingCommittedWork(@TempDir Path tmp) throws Exception {
        Path job = job(tmp);
        Path out = tmp.resolve("out");
        JobConfig config = JobConfig.load(job.toFile(), Map.of());
        // killed in latents, after prepare committed
        PipelineJob.Stage killed = PipelineJob.Stage.of("latents", (j, s) -> {
            throw new IllegalStateException("executor lost");
        });
        assertThrows(IllegalStateException.class,
                () -> PipelineJob.run(config, spark, List.of(PipelineJob.STAGES.get(0), killed)));
        JsonNode crashed = report(out);
        assertEquals("crashed", crashed.path("status").asText());
        assertEquals(1, crashed.path("exit_code").asInt());
        assertEquals("latents", crashed.path("crashed_in").asText());
        assertTrue(crashed.path("error").asText().contains("executor lost"));
        assertEquals("incomplete", crashed.path("concepts").get(0).path("status").asText());
        Map<String, String> prepared = JobFixtures.snapshot(out.resolve("_data"));

        JobFixtures.Result resumed = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(3, resumed.code(), resumed.out() + resumed.err());
        JsonNode cat = report(out).path("concepts").get(0);
        assertEquals("up-to-date", cat.path("stages").path("prepare").path("action").asText());
        assertEquals("encoded", cat.path("stages").path("latents").path("action").asText());
        Map<String, String> after = JobFixtures.snapshot(out.resolve("_data"));
        prepared.forEach((file, v) -> assertEquals(v, after.get(file), file + " was not redone"));

        // a stage's output half-written: a truncated latents file and no commit marker (killed mid-swap), plus a
        // staging folder a killed run left behind; the rerun trusts neither and redoes that concept's latents only
        Path partition = out.resolve("_data/latents/concept=cat-toy");
        Path part;
        try (var files = Files.list(partition)) {
            part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        Files.write(part, new byte[] {'P', 'A', 'R', '1', 0, 0});
        Files.delete(out.resolve("_data/_commits/latents/cat-toy.json"));
        Path stale = Files.createDirectories(out.resolve("_data/_staging/latents-1-dead/latents"));
        Files.writeString(stale.resolve("part-0.parquet"), "half");

        JobFixtures.Result repaired = JobFixtures.run("pipeline", "--config", job.toString());
        assertEquals(3, repaired.code(), repaired.out() + repaired.err());
        cat = report(out).path("concepts").get(0);
        assertEquals("up-to-date", cat.path("stages").path("prepare").path("action").asText());
        assertEquals("encoded", cat.path("stages").path("latents").path("action").asText());
        assertEquals(4, cat.path("stages").path("latents").path("encoded").asLong());
        assertEquals(4, spark.read().schema(Schemas.LATENTS).parquet(partition.toString()).count());
        assertFalse(Files.exists(out.resolve("_data/_staging/latents-1-dead")), "stale staging removed");
    }
}
