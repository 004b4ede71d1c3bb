package org.sdti.jobs.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.dataprep.ConceptPreparer;
import org.sdti.dataprep.PrepareOptions;
import org.sdti.dataprep.PreparedImage;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.testing.TestData;
import org.sdti.model.text.ClipTokenizer;

class PrepareJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    @BeforeAll
    static void spark() {
        spark = TestSpark.session();
    }

    @Test
    void twoConceptsOneBrokenExitsThreeAndTheOtherIsDone(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path job = JobFixtures.twoConceptJob(tmp, "");

        JobFixtures.Result r = JobFixtures.run("prepare", "--config", job.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("prepare: 1 of 2 concepts done, 1 failed"), r.out());

        JsonNode report = JSON.readTree(out.resolve("_reports/prepare.json").toFile());
        assertEquals("partial", report.path("status").asText());
        assertEquals(3, report.path("exit_code").asInt());
        JsonNode cat = report.path("concepts").get(0);
        assertEquals("cat-toy", cat.path("concept").asText());
        assertEquals("done", cat.path("status").asText());
        assertEquals("prepared", cat.path("action").asText());
        assertEquals(3, cat.path("files").asLong());
        assertEquals(2, cat.path("accepted").asLong());
        assertEquals(4, cat.path("examples").asLong());
        assertEquals(27, cat.path("prompts").asLong());
        assertEquals("TOO_SMALL", cat.path("rejected").get(0).path("reason").asText());
        assertTrue(cat.path("rejected").get(0).path("file").asText().endsWith("/cat/tiny.png"));
        JsonNode broken = report.path("concepts").get(1);
        assertEquals("failed", broken.path("status").asText());
        assertTrue(broken.path("reason").asText().contains("has no usable image"), broken.toString());
        assertEquals("NOT_AN_IMAGE", broken.path("rejected").get(0).path("reason").asText());
        assertEquals(4, report.path("counters").path("images_read").asLong());
        assertEquals(4, report.path("counters").path("examples_written").asLong());

        // examples: what data-prep gives for the same files, pixel for pixel
        List<Row> examples = spark.read().schema(Schemas.EXAMPLES).parquet(out.resolve("_data/examples").toString())
                .orderBy("image_id").collectAsList();
        assertEquals(4, examples.size());
        ConceptPreparer preparer = new ConceptPreparer(PrepareOptions.defaults(16));
        List<PreparedImage> expected = preparer.prepareFolder("cat-toy", tmp.resolve("images/cat")).examples()
                .stream().sorted(java.util.Comparator.comparing(PreparedImage::id)).toList();
        for (int i = 0; i < 4; i++) {
            Row e = examples.get(i);
            PreparedImage x = expected.get(i);
            assertEquals("cat-toy", e.getAs("concept"));
            assertEquals(x.id(), e.getAs("image_id"));
            assertEquals(x.sha256(), e.getAs("content_hash"));
            assertEquals(x.variant().name().toLowerCase(), e.getAs("variant"));
            assertEquals(16, (int) e.getAs("width"));
            assertEquals(16, (int) e.getAs("height"));
            assertEquals(x.sourceWidth(), (int) e.getAs("source_width"));
            assertTrue(((String) e.getAs("source")).startsWith("file:"));
            assertNull(e.getAs("caption"));
            assertArrayEquals(x.pixels().rgb(), (byte[]) e.getAs("pixels"));
        }

        // prompts: the 27 object templates with both vectors, ids as diffusers' tokenizer gives them
        List<Row> prompts = spark.read().schema(Schemas.PROMPTS).parquet(out.resolve("_data/prompts").toString())
                .orderBy("prompt_index").collectAsList();
        assertEquals(27, prompts.size());
        Row first = prompts.get(0);
        assertEquals("a photo of a {}", first.getAs("template"));
        assertEquals("a photo of a <cat-toy> <cat-toy>_1", first.getAs("prompt"));
        assertEquals("template", first.getAs("kind"));
        List<Integer> ids = first.getList(first.fieldIndex("ids"));
        assertEquals(77, ids.size());
        ClipTokenizer base = ClipTokenizer.load(ModelFolder.open(TestData.tinyModel().toString()).tokenizerFiles());
        int[] photo = base.encodeContent("a photo of a");
        assertEquals(List.of(49406, photo[0], photo[1], photo[2], photo[3], 49408, 49409, 49407),
                ids.subList(0, 8));
        assertFalse(Files.exists(out.resolve("_data/examples/concept=broken")));
        assertTrue(Files.exists(out.resolve("_data/_commits/prepare/cat-toy.json")));
        assertFalse(Files.exists(out.resolve("_data/_commits/prepare/broken.json")));
        assertFalse(Files.exists(out.resolve("_data/_staging/")) && Files.list(out.resolve("_data/_staging"))
                .findAny().isPresent(), "staging is cleaned up");

        // rerun: nothing read, nothing written, same exit code and report contents
        Map<String, String> before = JobFixtures.tree(out.resolve("_data"));
        JobFixtures.Result again = JobFixtures.run("prepare", "--config", job.toString());
        assertEquals(3, again.code(), again.out() + again.err());
        assertEquals(before, JobFixtures.tree(out.resolve("_data")));
        JsonNode report2 = JSON.readTree(out.resolve("_reports/prepare.json").toFile());
        assertEquals(1, report2.path("counters").path("images_read").asLong(), "only the broken concept is redone");
        assertEquals("up-to-date", report2.path("concepts").get(0).path("action").asText());
        assertEquals("TOO_SMALL", report2.path("concepts").get(0).path("rejected").get(0).path("reason").asText());
        assertEquals("failed", report2.path("concepts").get(1).path("status").asText());

        // a run killed while swapping cat-toy in: its marker was already gone, its examples half moved, its staging
        // folder left behind. The next run trusts none of it and redoes the concept.
        Path staleStaging = Files.createDirectories(out.resolve("_data/_staging/prepare-1-dead/examples"));
        Files.delete(out.resolve("_data/_commits/prepare/cat-toy.json"));
        try (var parts = Files.list(out.resolve("_data/examples/concept=cat-toy"))) {
            for (Path p : parts.toList()) {
                Files.delete(p);
            }
        }
        assertEquals(3, JobFixtures.run("prepare", "--config", job.toString()).code());
        JsonNode redone = JSON.readTree(out.resolve("_reports/prepare.json").toFile());
        assertEquals("prepared", redone.path("concepts").get(0).path("action").asText());
        assertFalse(Files.exists(staleStaging.getParent()), "a killed run's staging folder is removed");
        assertEquals(4, spark.read().schema(Schemas.EXAMPLES).parquet(out.resolve("_data/examples").toString())
                .count());

        // a new picture redoes that concept only
        Files.write(tmp.resolve("images/cat/c.png"), JobFixtures.image(32, 32, 9, "png"));
        assertEquals(3, JobFixtures.run("prepare", "--config", job.toString()).code());
        JsonNode report3 = JSON.readTree(out.resolve("_reports/prepare.json").toFile());
        assertEquals("prepared", report3.path("concepts").get(0).path("action").asText());
        assertEquals(6, report3.path("concepts").get(0).path("examples").asLong());
        assertEquals(6, spark.read().schema(Schemas.EXAMPLES).parquet(out.resolve("_data/examples").toString())
                .count());
    }

    @Test
    void captionsTemplateFilesAndGlobs(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("images/cap"));
        Files.write(dir.resolve("a.png"), JobFixtures.image(16, 16, 1, "png"));
        Files.writeString(dir.resolve("a.txt"), "a {} on a beach\n");
        Files.write(dir.resolve("b.png"), JobFixtures.image(16, 16, 2, "png"));
        Files.writeString(tmp.resolve("templates.txt"), "# mine\nan image of {}\n{} in the snow\n");
        Path out = tmp.resolve("out");
        Path job = tmp.resolve("job.conf");
        Files.writeString(job, "sdti { model = \"" + TestData.tinyModel() + "\", output = \"" + out + "\"\n"
                + "prepare.flips = false\n"
                + "concepts = [\n"
                + "  { token = \"<cap>\", init = toy, images = \"" + dir + "\", captions = true,\n"
                + "    templates = \"" + tmp.resolve("templates.txt") + "\" }\n"
                + "  { token = \"<glob>\", init = toy, images = \"" + dir + "/*.png\" }\n"
                + "] }\n");
        JobFixtures.Result r = JobFixtures.run("prepare", "--config", job.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode report = JSON.readTree(out.resolve("_reports/prepare.json").toFile());
        assertEquals(3, report.path("concepts").get(0).path("files").asLong(), "a folder lists the caption too");
        assertEquals(2, report.path("concepts").get(1).path("files").asLong(), "the glob matches the PNGs only");
        assertEquals(2, report.path("concepts").get(0).path("examples").asLong(), "flips off");

        List<Row> cap = spark.read().schema(Schemas.PROMPTS).parquet(out.resolve("_data/prompts").toString())
                .filter("concept = 'cap'").orderBy("prompt_index").collectAsList();
        assertEquals(List.of("an image of <cap>", "<cap> in the snow", "a <cap> on a beach"),
                cap.stream().map(x -> x.<String>getAs("prompt")).toList());
        assertEquals(List.of("template", "template", "caption"), cap.stream().map(x -> x.<String>getAs("kind")).toList());
        Row caption = cap.get(2);
        List<Row> a = spark.read().schema(Schemas.EXAMPLES).parquet(out.resolve("_data/examples").toString())
                .filter("concept = 'cap' and caption is not null").collectAsList();
        assertEquals(1, a.size());
        assertEquals("a {} on a beach", a.get(0).getAs("caption"));
        assertEquals(a.get(0).<String>getAs("content_hash"), caption.getAs("content_hash"));
        assertTrue(caption.getList(caption.fieldIndex("ids")).contains(49408));
        assertEquals(27, spark.read().schema(Schemas.PROMPTS).parquet(out.resolve("_data/prompts").toString())
                .filter("concept = 'glob'").count(), "no template file: the reference's object list");
    }

    @Test
    void badJobFilesExitTwoBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path job = JobFixtures.twoConceptJob(tmp, "  train.steps = 0\n");
        JobFixtures.Result r = JobFixtures.run("prepare", "--config", job.toString());
        assertEquals(2, r.code());
        assertEquals("sdti prepare: sdti.train.steps: must be >= 1, got 0 (" + job + ":8)", r.err().strip());

        job = JobFixtures.jobFile(tmp, tmp.resolve("no-model").toString(), tmp.resolve("images").toString(),
                out.toString(), "");
        r = JobFixtures.run("prepare", "--config", job.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("sdti prepare: sdti.model: model folder"), r.err());

        // "bear" is a word of the vocabulary: it cannot become a new token
        Path words = tmp.resolve("words.conf");
        Files.writeString(words, "sdti { model = \"" + TestData.tinyModel() + "\", output = \"" + out + "\"\n"
                + "concepts = [{ token = bear, init = toy, images = \"" + tmp.resolve("images/cat") + "\" }] }");
        r = JobFixtures.run("prepare", "--config", words.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("sdti prepare: sdti.concepts[0].token:"), r.err());

        Files.writeString(words, "sdti { model = \"" + TestData.tinyModel() + "\", output = \"" + out + "\"\n"
                + "concepts = [{ token = \"<x>\", init = \"teddy bear\", images = \"" + tmp.resolve("images/cat")
                + "\" }] }");
        r = JobFixtures.run("prepare", "--config", words.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("sdti prepare: sdti.concepts[0].init: initializer 'teddy bear' is not in the "
                + "vocabulary as one token: it splits into 2 tokens (teddy, bear); use a word that is one token, or "
                + "vectors = 2"), r.err());
        assertFalse(Files.exists(out), "nothing was written");
    }
}
