package org.sdti.jobs.latents;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.sdti.dataprep.RgbImage;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.Isolation;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.config.VaeConfig;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.models.CheckedWeights;
import org.sdti.model.models.Layouts;
import org.sdti.model.models.Vae;
import org.sdti.model.testing.TestData;

class LatentsJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @BeforeAll
    static void spark() {
        spark = TestSpark.session();
    }

    static float[] floats(Row r, String column) {
        List<Float> l = r.getList(r.fieldIndex(column));
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    @Test
    void encodesEachExampleOnceAndRerunsDoOnlyNewWork(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path job = JobFixtures.twoConceptJob(tmp, "");
        // nothing prepared at all: bad input naming the stage to run first, as train does; nothing written
        JobFixtures.Result none = JobFixtures.run("latents", "--config", job.toString());
        assertEquals(2, none.code(), none.out() + none.err());
        assertTrue(none.err().contains("run `sdti prepare --config JOB` first"), none.err());
        assertFalse(Files.exists(out.resolve("_reports/latents.json")), "no report: the stage did not run");
        assertEquals(3, JobFixtures.run("prepare", "--config", job.toString()).code());

        long loadsBefore = ModelCache.loads();
        JobFixtures.Result r = JobFixtures.run("latents", "--config", job.toString());
        assertEquals(3, r.code(), "the broken concept was never prepared: " + r.out() + r.err());
        assertTrue(r.out().contains("report: file:" + out.resolve("_reports/latents.json")), r.out());
        assertTrue(ModelCache.loads() - loadsBefore <= 1, "the VAE is loaded at most once for both tasks");
        String model = ModelFolder.open(TestData.tinyModel().toString()).location();
        assertTrue(ModelCache.contains(new ModelCache.Key(model, "FLOAT", ModelCache.VAE)));

        JsonNode report = JSON.readTree(out.resolve("_reports/latents.json").toFile());
        JsonNode cat = report.path("concepts").get(0);
        assertEquals("done", cat.path("status").asText());
        assertEquals("encoded", cat.path("action").asText());
        assertEquals(4, cat.path("encoded").asLong());
        assertEquals(4, report.path("counters").path("latents_encoded").asLong());
        JsonNode broken = report.path("concepts").get(1);
        assertEquals("failed", broken.path("status").asText());
        assertTrue(broken.path("reason").asText().startsWith("not prepared"), broken.toString());

        // every row equals Vae.encode of the example's pixels
        Map<String, Row> examples = new HashMap<>();
        spark.read().schema(Schemas.EXAMPLES).parquet(out.resolve("_data/examples").toString()).collectAsList()
                .forEach(e -> examples.put(e.getAs("image_id"), e));
        List<Row> latents = spark.read().schema(Schemas.LATENTS).parquet(out.resolve("_data/latents").toString())
                .collectAsList();
        assertEquals(4, latents.size());
        ModelFolder folder = ModelFolder.open(TestData.tinyModel().toString());
        VaeConfig cfg = folder.vaeConfig();
        Vae vae;
        try (CheckedWeights w = CheckedWeights.check(folder.openWeights("vae"), Layouts.vae(cfg))) {
            vae = Vae.load(cfg, w);
        }
        for (Row l : latents) {
            Row e = examples.get(l.<String>getAs("image_id"));
            assertEquals(e.<String>getAs("content_hash"), l.getAs("content_hash"));
            assertEquals(e.<String>getAs("variant"), l.getAs("variant"));
            assertEquals("cat-toy", l.getAs("concept"));
            assertTrue(l.<String>getAs("model_id").startsWith("vae-"));
            assertEquals(List.of(4, 8, 8), l.getList(l.fieldIndex("shape")), "16 px, VAE factor 2");
            float[] chw = RgbImage.of(16, 16, e.getAs("pixels")).toChwFloats();
            Vae.LatentDist d = vae.encode(Nd4j.create(chw, new long[] {1, 3, 16, 16}, 'c'));
            assertArrayEquals(d.mean().reshape(256).toFloatVector(), floats(l, "mean"), 1e-6f);
            assertArrayEquals(d.std().reshape(256).toFloatVector(), floats(l, "std"), 1e-6f);
        }

        // rerun: no encoding, no file touched
        Map<String, String> before = JobFixtures.tree(out.resolve("_data"));
        assertEquals(3, JobFixtures.run("latents", "--config", job.toString()).code());
        assertEquals(before, JobFixtures.tree(out.resolve("_data")));
        JsonNode again = JSON.readTree(out.resolve("_reports/latents.json").toFile());
        assertEquals(0, again.path("counters").path("latents_encoded").asLong());
        assertEquals(4, again.path("counters").path("latents_skipped").asLong());
        assertEquals("up-to-date", again.path("concepts").get(0).path("action").asText());

        // a renamed picture: prepare redoes the concept, latents keeps every row and only re-marks it
        Files.move(tmp.resolve("images/cat/a.png"), tmp.resolve("images/cat/a-renamed.png"));
        assertEquals(3, JobFixtures.run("prepare", "--config", job.toString()).code());
        assertEquals(3, JobFixtures.run("latents", "--config", job.toString()).code());
        JsonNode renamed = JSON.readTree(out.resolve("_reports/latents.json").toFile());
        assertEquals("reused", renamed.path("concepts").get(0).path("action").asText());
        assertEquals(0, renamed.path("counters").path("latents_encoded").asLong());

        // a new picture: only its two variants are encoded
        Files.write(tmp.resolve("images/cat/c.png"), JobFixtures.image(24, 24, 7, "png"));
        assertEquals(3, JobFixtures.run("prepare", "--config", job.toString()).code());
        assertEquals(3, JobFixtures.run("latents", "--config", job.toString()).code());
        JsonNode added = JSON.readTree(out.resolve("_reports/latents.json").toFile());
        assertEquals(2, added.path("counters").path("latents_encoded").asLong());
        assertEquals(4, added.path("concepts").get(0).path("reused").asLong());
        assertEquals(6, spark.read().schema(Schemas.LATENTS).parquet(out.resolve("_data/latents").toString())
                .count());

        // a picture removed: its rows go, nothing is encoded
        Files.delete(tmp.resolve("images/cat/b.jpg"));
        assertEquals(3, JobFixtures.run("prepare", "--config", job.toString()).code());
        assertEquals(3, JobFixtures.run("latents", "--config", job.toString()).code());
        assertEquals(0, JSON.readTree(out.resolve("_reports/latents.json").toFile()).path("counters")
                .path("latents_encoded").asLong());
        assertEquals(4, spark.read().schema(Schemas.LATENTS).parquet(out.resolve("_data/latents").toString())
                .count());
    }

    /**
     * Issue 16: an Error while encoding one example (here an OutOfMemoryError injected at the dog's mirrored
     * picture, after its original was encoded) fails that concept alone: the others are committed exactly as in a
     * run without the fault, nothing of the failed concept is, and a rerun encodes it.
     */
    @Test
    void anErrorEncodingOneExampleFailsItsConceptAlone(@TempDir Path tmp) throws Exception {
        Path images = tmp.resolve("images");
        JobFixtures.twoConcepts(images);
        Files.write(Files.createDirectories(images.resolve("dog")).resolve("d.png"),
                JobFixtures.image(24, 24, 11, "png"));
        Path sick = tmp.resolve("sick");
        Path well = tmp.resolve("well");
        Path sickJob = catAndDog(tmp, images, sick);
        Path wellJob = catAndDog(tmp, images, well);
        assertEquals(0, JobFixtures.run("prepare", "--config", sickJob.toString()).code());
        assertEquals(0, JobFixtures.run("prepare", "--config", wellJob.toString()).code());

        Isolation mirroredDogOutOfMemory = Isolation.injecting(unit -> unit.startsWith("dog-thing/")
                && unit.endsWith(":flipped") ? new OutOfMemoryError("injected") : null);
        StageReport report = LatentsJob.run(JobConfig.load(sickJob.toFile(), Map.of()), spark,
                mirroredDogOutOfMemory);
        assertEquals(3, report.exitCode());
        JsonNode json = JSON.readTree(sick.resolve("_reports/latents.json").toFile());
        assertEquals("done", json.path("concepts").get(0).path("status").asText(), json.toString());
        JsonNode dog = json.path("concepts").get(1);
        assertEquals("dog-thing", dog.path("concept").asText());
        assertEquals("failed", dog.path("status").asText());
        assertTrue(dog.path("reason").asText().matches("encoding example [0-9a-f]{64}:flipped failed: "
                + "java.lang.OutOfMemoryError: injected"), dog.toString());
        assertFalse(Files.exists(sick.resolve("_data/latents/concept=dog-thing")), "the original's row not committed");
        assertFalse(Files.exists(sick.resolve("_data/_commits/latents/dog-thing.json")));

        assertEquals(0, LatentsJob.run(JobConfig.load(wellJob.toFile(), Map.of()), spark).exitCode());
        assertEquals(4, rows(well, "cat-toy").size());
        assertEquals(rows(well, "cat-toy"), rows(sick, "cat-toy"));

        // the fault gone, a rerun encodes the dog alone and leaves the cat's files as they are
        Map<String, String> cat = JobFixtures.tree(sick.resolve("_data/latents/concept=cat-toy"));
        StageReport rerun = LatentsJob.run(JobConfig.load(sickJob.toFile(), Map.of()), spark);
        assertEquals(0, rerun.exitCode());
        assertEquals(2, rerun.toJson().path("counters").path("latents_encoded").asLong());
        assertEquals(cat, JobFixtures.tree(sick.resolve("_data/latents/concept=cat-toy")));
        assertEquals(rows(well, "dog-thing"), rows(sick, "dog-thing"));
    }

    private static Path catAndDog(Path dir, Path images, Path output) throws IOException {
        Path job = dir.resolve(output.getFileName() + ".conf");
        Files.writeString(job, "sdti {\n  model = \"" + TestData.tinyModel() + "\"\n  output = \"" + output + "\"\n"
                + "  concepts = [\n"
                + "    { token = \"<cat-toy>\", init = \"toy\", images = \"" + images.resolve("cat") + "\" }\n"
                + "    { token = \"<dog-thing>\", init = \"dog\", images = \"" + images.resolve("dog") + "\" }\n"
                + "  ]\n}\n");
        return job;
    }

    /** A concept's committed latent rows, by image id. */
    private static List<Row> rows(Path output, String concept) {
        return spark.read().schema(Schemas.LATENTS).parquet(output.resolve("_data/latents").toString())
                .filter(col("concept").equalTo(concept)).orderBy("image_id").collectAsList();
    }
}
