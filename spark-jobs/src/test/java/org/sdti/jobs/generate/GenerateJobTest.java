package org.sdti.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.runtime.ModelCache;
import org.sdti.jobs.runtime.StageReport;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.io.ModelFolder;
import org.sdti.model.testing.TestData;

/**
 * The generate job on the tiny fixture (Spark local[2], 2 DDIM steps, 16 px): a trained concept's token, a token
 * from an embedding file, a concept that was never trained; pixels against {@code sdti generate}; manifest, contact
 * sheets, report and exit codes; a rerun that touches nothing; a deleted image redone alone.
 */
class GenerateJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = TestData.tinyModel().toString();
    private static final String JOE = TestData.goldens("learned_embeds.safetensors").toString();

    @BeforeAll
    static void spark() {
        TestSpark.session();
    }

    /** A learned embedding for {@code <cat-toy>} (2 vectors) where train leaves it, with seeded values. */
    static Path trainedCatToy(Path out) throws Exception {
        int width = ModelFolder.open(MODEL).textEncoderConfig().hiddenSize();
        SplittableRandom r = new SplittableRandom(11);
        float[][] rows = new float[2][width];
        for (float[] row : rows) {
            for (int i = 0; i < width; i++) {
                row[i] = (float) (r.nextDouble() - 0.5);
            }
        }
        Path file = Files.createDirectories(out.resolve("cat-toy")).resolve("learned_embeds.safetensors");
        EmbeddingFiles.write(new LearnedEmbedding("<cat-toy>", rows), EmbeddingFormat.DIFFUSERS_SAFETENSORS, file);
        return file;
    }

    static Path job(Path dir, Path out, String generate) throws Exception {
        String job = "sdti {\n"
                + "  model = \"" + MODEL + "\"\n"
                + "  output = \"" + out + "\"\n"
                + "  concepts = [\n"
                + "    { token = \"<cat-toy>\", init = \"toy\", images = \"" + dir + "/none\", vectors = 2 }\n"
                + "    { token = \"<broken>\", init = \"thing\", images = \"" + dir + "/none\" }\n"
                + "  ]\n"
                + "  generate {\n" + generate + "  }\n"
                + "}\n";
        Path f = dir.resolve("job.conf");
        Files.writeString(f, job);
        return f;
    }

    static final String REQUESTS = "    steps = 2\n"
            + "    embeddings = [\"" + JOE + "\"]\n"
            + "    prompts = [\n"
            + "      { prompt = \"a photo of <cat-toy>\", seeds = [3], images-per-prompt = 2 }\n"
            + "      { prompt = \"a <joe-bruin> on the beach\", negative-prompt = \"blurry\", seed = 7 }\n"
            + "      \"a drawing of <broken>\"\n"
            + "    ]\n";

    static int[] pixels(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    static ObjectNode record(Path png) throws Exception {
        ObjectNode o = (ObjectNode) JSON.readTree(PngText.read(Files.readAllBytes(png)).get(GenerationInfo.SDTI));
        o.path("embeddings").forEach(e -> ((ObjectNode) e).remove("file")); // where the job and the CLI read it
        return o;
    }

    static List<JsonNode> manifest(Path out) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("_generate/manifest.jsonl"))) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    static Map<String, String> outputs(Path out) throws Exception {
        Map<String, String> tree = JobFixtures.tree(out);
        tree.keySet().removeIf(k -> k.startsWith("_reports"));
        return tree;
    }

    @Test
    void aConceptFailedEarlierFailsItsRequestsWithTheReasonEvenWithAnOldEmbedding(@TempDir Path tmp)
            throws Exception {
        Path out = tmp.resolve("out");
        trainedCatToy(out); // left by an older run: must not be used once the pipeline failed the concept
        Path job = job(tmp, out, "    steps = 2\n    prompts = [\n"
                + "      { prompt = \"a photo of <cat-toy>\", seed = 3 }\n"
                + "      { prompt = \"a <cat-toy> beside a <broken>\", seed = 4 }\n    ]\n");
        String why = "concept cat-toy failed in train: the loss is NaN at step 1";
        StageReport r = GenerateJob.run(JobConfig.load(job.toFile(), Map.of()), Map.of("cat-toy", why),
                TestSpark.session());
        assertEquals(3, r.exitCode());
        assertFalse(Files.exists(out.resolve("cat-toy/images")), "nothing rendered");
        List<JsonNode> rows = manifest(out);
        assertEquals(List.of(0, 1), rows.stream().map(n -> n.path("request").asInt()).toList());
        assertEquals("failed", rows.get(0).path("status").asText());
        assertEquals(why, rows.get(0).path("reason").asText());
        assertEquals("_generate", rows.get(1).path("folder").asText());
        assertTrue(rows.get(1).path("reason").asText().startsWith(why + "; concept broken (<broken>) has no "
                + "learned embedding"), rows.get(1).toString());
        StageReport.ConceptResult cat = r.concepts().get(0);
        assertEquals("cat-toy", cat.concept());
        assertEquals(StageReport.Status.FAILED, cat.status());
        assertEquals("skipped", cat.action());
        assertEquals(why, cat.reason());
        assertEquals(2, r.failed(), "cat-toy and broken; _generate apart");
        assertTrue(r.isOther(r.concepts().get(2)));
    }

    @Test
    void aSingleFileRendersTheBytesItsFolderRenders(@TempDir Path tmp) throws Exception {
        String requests = "    steps = 2\n"
                + "    embeddings = [\"" + JOE + "\"]\n"
                + "    prompts = [\"a photo of a cat\", { prompt = \"a <joe-bruin> on the beach\", seed = 7 }]\n";
        Path folderOut = tmp.resolve("folder/out");
        Path folderJob = job(Files.createDirectories(tmp.resolve("folder")), folderOut, requests);
        JobFixtures.run("generate", "--config", folderJob.toString());
        Path single = TestData.path("fixtures/tiny-sd2/single-file/model.safetensors");
        Path singleOut = tmp.resolve("single/out");
        Path singleJob = job(Files.createDirectories(tmp.resolve("single")), singleOut, requests);
        Files.writeString(singleJob, Files.readString(singleJob).replace("model = \"" + MODEL + "\"",
                "model = \"" + single + "\"\n  model-config = \"" + MODEL + "\""));
        JobFixtures.run("generate", "--config", singleJob.toString());

        List<JsonNode> a = manifest(folderOut);
        List<JsonNode> b = manifest(singleOut);
        assertEquals(2, a.size());
        assertEquals(2, b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals("done", b.get(i).path("status").asText(), b.get(i).toString());
            byte[] x = Files.readAllBytes(folderOut.resolve(a.get(i).path("image").asText()));
            byte[] y = Files.readAllBytes(singleOut.resolve(b.get(i).path("image").asText()));
            assertArrayEquals(x, y, "image " + i + ": " + b.get(i).path("prompt").asText());
            // the manifest tells the sources apart (model_id is the location's id; "model" is the name the PNGs
            // carry, "model" for both the folder model/ and the file model.safetensors)
            assertEquals("model", a.get(i).path("model").asText(), a.get(i).toString());
            assertNotEquals(a.get(i).path("model_id").asText(), b.get(i).path("model_id").asText(), b.get(i).toString());
        }
    }

    @Test
    void rendersTheJobsRequestsAsSdtiGenerateDoesAndRerunsDoNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path learned = trainedCatToy(out);
        Path job = job(tmp, out, REQUESTS);
        long loads = ModelCache.loads();

        JobFixtures.Result r = JobFixtures.run("generate", "--config", job.toString());
        assertEquals(3, r.code(), "one request uses an untrained concept: " + r.out() + r.err());
        assertTrue(ModelCache.loads() - loads <= 1, "the model is loaded once for both tasks");
        assertTrue(ModelCache.contains(new ModelCache.Key(ModelFolder.open(MODEL).location(), "FLOAT",
                ModelCache.PIPELINE)));
        // _generate is no concept: its own row and count, not in the concepts done
        assertTrue(r.out().contains("generate: 1 of 2 concepts done, 1 failed, _generate done"), r.out());

        // the manifest: every image, in request, seed, image order
        List<JsonNode> rows = manifest(out);
        assertEquals(4, rows.size());
        JsonNode cat0 = rows.get(0);
        JsonNode cat1 = rows.get(1);
        JsonNode joe = rows.get(2);
        JsonNode broken = rows.get(3);
        assertEquals(List.of("cat-toy", "cat-toy", "_generate", "broken"),
                rows.stream().map(n -> n.path("folder").asText()).toList());
        assertEquals("done", cat0.path("status").asText());
        assertEquals(3, cat0.path("seed").asLong());
        assertEquals(4, cat1.path("seed").asLong());
        assertEquals(3, cat1.path("batch_seed").asLong());
        assertEquals(1, cat1.path("index").asInt());
        assertEquals("cat-toy", cat0.path("concept").asText());
        assertEquals("ddim", cat0.path("sampler").asText());
        assertEquals(16, cat0.path("width").asInt());
        assertEquals(2, cat0.path("steps").asInt());
        assertEquals("<cat-toy>", cat0.path("embeddings").get(0).path("token").asText());
        assertEquals(2, cat0.path("embeddings").get(0).path("vectors").asInt());
        assertTrue(cat0.path("image").asText().matches("cat-toy/images/a-photo-of-cat-toy-3-[0-9a-f]{16}\\.png"),
                cat0.toString());
        assertTrue(joe.path("image").asText().startsWith("_generate/images/a-joe-bruin-on-the-beach-7-"));
        assertTrue(joe.path("concept").isNull());
        assertEquals("blurry", joe.path("negative_prompt").asText());
        assertEquals("failed", broken.path("status").asText());
        assertTrue(broken.path("image").isNull());
        assertTrue(broken.path("reason").asText().contains("concept broken (<broken>) has no learned embedding"),
                broken.toString());
        for (JsonNode row : rows.subList(0, 3)) {
            assertTrue(Files.isRegularFile(out.resolve(row.path("image").asText())), row.toString());
        }

        // the same pixels and metadata as sdti generate with the same settings
        Path ref = tmp.resolve("ref-cat");
        assertEquals(0, JobFixtures.run("generate", "--model", MODEL, "--prompt", "a photo of <cat-toy>", "--seed", "3",
                "--images-per-prompt", "2", "--steps", "2", "--embedding", learned.toString(), "--output",
                ref.toString()).code());
        for (int i = 0; i < 2; i++) {
            Path job1 = out.resolve(rows.get(i).path("image").asText());
            Path ref1 = ref.resolve("0000" + i + ".png");
            assertArrayEquals(pixels(ref1), pixels(job1), "image " + i);
            assertEquals(record(ref1), record(job1));
        }
        Path refJoe = tmp.resolve("ref-joe");
        assertEquals(0, JobFixtures.run("generate", "--model", MODEL, "--prompt", "a <joe-bruin> on the beach",
                "--negative-prompt", "blurry", "--seed", "7", "--steps", "2", "--embedding", JOE, "--output",
                refJoe.toString()).code());
        Path joePng = out.resolve(joe.path("image").asText());
        assertArrayEquals(pixels(refJoe.resolve("00000.png")), pixels(joePng));
        assertEquals(record(refJoe.resolve("00000.png")), record(joePng));
        // and the learned vectors took part: without them the prompt renders otherwise
        Path plain = tmp.resolve("ref-plain");
        assertEquals(0, JobFixtures.run("generate", "--model", MODEL, "--prompt", "a photo of <cat-toy>", "--seed", "3",
                "--steps", "2", "--output", plain.toString()).code());
        assertFalse(java.util.Arrays.equals(pixels(plain.resolve("00000.png")),
                pixels(out.resolve(cat0.path("image").asText()))));

        // contact sheets: one row per request under its prompt (2 lines, 28 px), a cell per image: the 16 px images
        // enlarged 12 times to the 192 px thumbnail, a 14 px seed line under each; 392 px wide at least
        BufferedImage sheet = ImageIO.read(out.resolve("cat-toy/contact-sheet.png").toFile());
        assertEquals(4 + 2 * (192 + 4), sheet.getWidth());
        assertEquals(4 + (28 + 192 + 14 + 4), sheet.getHeight());
        BufferedImage others = ImageIO.read(out.resolve("_generate/contact-sheet.png").toFile());
        assertEquals(392, others.getWidth());
        assertEquals(4 + (28 + 192 + 14 + 4), others.getHeight());
        // the first cell holds the first image, each pixel a 12 x 12 block, under the prompt lines
        BufferedImage first = ImageIO.read(out.resolve(cat0.path("image").asText()).toFile());
        for (int[] p : new int[][] {{0, 0}, {15, 15}, {3, 11}}) {
            for (int[] corner : new int[][] {{0, 0}, {11, 11}}) {
                assertEquals(first.getRGB(p[0], p[1]), sheet.getRGB(4 + 12 * p[0] + corner[0],
                        4 + 28 + 12 * p[1] + corner[1]), "pixel " + p[0] + "," + p[1]);
            }
        }

        // the report
        JsonNode report = JSON.readTree(out.resolve("_reports/generate.json").toFile());
        assertEquals(3, report.path("exit_code").asInt());
        assertEquals(3, report.path("counters").path("images_rendered").asLong());
        assertEquals(1, report.path("counters").path("images_failed").asLong());
        List<String> concepts = new ArrayList<>();
        report.path("concepts").forEach(c -> concepts.add(c.path("concept").asText() + ":" + c.path("status").asText()
                + ":" + c.path("action").asText() + ":" + c.path("rendered").asLong()));
        assertEquals(List.of("cat-toy:done:rendered:2", "broken:failed:-:0", "_generate:done:rendered:1"), concepts);
        assertEquals(1, report.path("concepts_done").asInt());
        assertEquals(1, report.path("concepts_failed").asInt());
        assertEquals(1, report.path("others_done").asInt());
        assertEquals(0, report.path("others_failed").asInt());
        try (Stream<Path> s = Files.walk(out)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }

        // rerun: nothing rendered, no file changed
        Map<String, String> before = outputs(out);
        JobFixtures.Result again = JobFixtures.run("generate", "--config", job.toString());
        assertEquals(3, again.code(), again.out() + again.err());
        assertEquals(before, outputs(out));
        JsonNode second = JSON.readTree(out.resolve("_reports/generate.json").toFile());
        assertEquals(0, second.path("counters").path("images_rendered").asLong());
        assertEquals(3, second.path("counters").path("images_skipped").asLong());
        assertEquals(0, second.path("counters").path("batches").asLong());
        assertEquals("up-to-date", second.path("concepts").get(0).path("action").asText());

        // a lost image: its batch alone is rendered again, to the same bytes; manifest and sheets stay as they were
        Path lost = out.resolve(cat1.path("image").asText());
        byte[] bytes = Files.readAllBytes(lost);
        Files.delete(lost);
        assertEquals(3, JobFixtures.run("generate", "--config", job.toString()).code());
        assertArrayEquals(bytes, Files.readAllBytes(lost));
        JsonNode third = JSON.readTree(out.resolve("_reports/generate.json").toFile());
        assertEquals(1, third.path("counters").path("images_rendered").asLong());
        assertEquals(2, third.path("counters").path("images_skipped").asLong());
        Map<String, String> after = outputs(out);
        after.remove(cat1.path("image").asText());
        before.remove(cat1.path("image").asText());
        assertEquals(before, after);

        // smaller thumbnails: only the sheets are redrawn
        Map<String, String> sized = outputs(out);
        job(tmp, out, REQUESTS + "    contact-sheet-thumbnail = 8\n");
        assertEquals(3, JobFixtures.run("generate", "--config", job.toString()).code());
        BufferedImage small = ImageIO.read(out.resolve("cat-toy/contact-sheet.png").toFile());
        assertEquals(392, small.getWidth(), "two 128 px cells, and the prompt's minimum width");
        assertEquals(4 + (28 + 8 + 14 + 4), small.getHeight());
        assertEquals(0, JSON.readTree(out.resolve("_reports/generate.json").toFile()).path("counters")
                .path("images_rendered").asLong());
        Map<String, String> resized = outputs(out);
        for (String sheetPath : List.of("cat-toy/contact-sheet.png", "_generate/contact-sheet.png",
                "broken/contact-sheet.png")) {
            assertNotEquals(sized.remove(sheetPath), resized.remove(sheetPath), sheetPath);
        }
        assertEquals(sized, resized);
    }

    @Test
    void everyPathMayBeOnAnotherHadoopFileSystem(@TempDir Path tmp) throws Exception {
        // nonlocal: the local disk behind Hadoop's remote-file-system paths (listing, temp name + rename, reads)
        Path out = tmp.resolve("out");
        Path learned = trainedCatToy(out);
        String job = "sdti {\n"
                + "  hadoop { \"fs.nonlocal.impl\" = \"org.sdti.model.io.NonLocalFileSystem\" }\n"
                + "  model = \"nonlocal://" + MODEL + "\"\n"
                + "  output = \"nonlocal://" + out + "\"\n"
                + "  concepts = [{ token = \"<cat-toy>\", init = \"toy\", images = \"" + tmp + "\", vectors = 2 }]\n"
                + "  generate { steps = 2, prompts = [\"a photo of <cat-toy>\"] }\n"
                + "}\n";
        Path file = tmp.resolve("remote.conf");
        Files.writeString(file, job);
        JobFixtures.Result r = JobFixtures.run("generate", "--config", file.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode row = manifest(out).get(0);
        assertEquals("done", row.path("status").asText());
        assertEquals("nonlocal:" + learned, row.path("embeddings").get(0).path("file").asText());
        Path png = out.resolve(row.path("image").asText());

        Path ref = tmp.resolve("ref");
        assertEquals(0, JobFixtures.run("generate", "--model", MODEL, "--prompt", "a photo of <cat-toy>", "--seed", "0",
                "--steps", "2", "--embedding", learned.toString(), "--output", ref.toString()).code());
        assertArrayEquals(pixels(ref.resolve("00000.png")), pixels(png));
        Map<String, String> before = outputs(out);
        assertEquals(List.of("_generate/manifest.jsonl", "cat-toy/contact-sheet.png", "cat-toy/images/"
                + png.getFileName(), "cat-toy/learned_embeds.safetensors"), List.copyOf(before.keySet()),
                "no temporary or .crc files");
        assertEquals(0, JobFixtures.run("generate", "--config", file.toString()).code());
        assertEquals(before, outputs(out));
    }

    @Test
    void badEmbeddingFilesAndSingleMachineFlagsStopBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Path job = job(tmp, out, "    prompts = [\"a cat\"]\n    embeddings = [\"" + tmp.resolve("missing.safetensors")
                + "\"]\n");
        JobFixtures.Result r = JobFixtures.run("generate", "--config", job.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("sdti.generate.embeddings[0]") && r.err().contains("does not exist"), r.err());
        assertFalse(Files.exists(out), "nothing written");

        Path clash = job(tmp, out, "    prompts = [\"a cat\"]\n    embeddings = [\"" + trainedCatToy(tmp) + "\"]\n");
        r = JobFixtures.run("generate", "--config", clash.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("sdti.generate.embeddings[0]") && r.err().contains("sdti.concepts[0].token"),
                r.err());

        Path word = tmp.resolve("cat.safetensors");
        int width = ModelFolder.open(MODEL).textEncoderConfig().hiddenSize();
        EmbeddingFiles.write(new LearnedEmbedding("cat", new float[1][width]), EmbeddingFormat.DIFFUSERS_SAFETENSORS,
                word);
        r = JobFixtures.run("generate", "--config", job(tmp, out, "    prompts = [\"a cat\"]\n    embeddings = [\""
                + word + "\"]\n").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("sdti.generate.embeddings[0]") && r.err().contains("cat"), r.err());

        Path latents = job(tmp, out, "    prompts = [\"a cat\"]\n    latents = \"x.safetensors\"\n");
        r = JobFixtures.run("generate", "--config", latents.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("sdti.generate.latents"), r.err());

        Path plain = job(tmp, out, "    prompts = [\"a cat\"]\n");
        r = JobFixtures.run("generate", "--config", plain.toString(), "--steps", "3", "--seed", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--seed, --steps: a flag of the single-machine form"), r.err());
        assertFalse(Files.exists(out), "nothing written");

        JobFixtures.Result help = JobFixtures.run("generate", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("generate --config JOB") && help.out().contains("manifest.jsonl"), help.out());
    }
}
