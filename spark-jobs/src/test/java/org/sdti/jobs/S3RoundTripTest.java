package org.sdti.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.generate.PngText;
import org.sdti.jobs.runtime.Schemas;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.jobs.testing.TestSpark;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.testing.S3TestServer;
import org.sdti.model.testing.TestData;

/** The jobs with model, images and output all on an S3-protocol server (s3proxy on loopback). */
class S3RoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What prepare and latents read of a model folder (the U-Net and text-encoder weights are not needed). */
    private static final List<String> MODEL_FILES = List.of("model_index.json", "unet/config.json",
            "text_encoder/config.json", "scheduler/scheduler_config.json", "vae/config.json",
            "vae/diffusion_pytorch_model.safetensors", "tokenizer/vocab.json", "tokenizer/merges.txt",
            "tokenizer/tokenizer_config.json", "tokenizer/special_tokens_map.json");

    /** The bucket's file system, with the model files, the two test concepts and a job file over them. */
    record Bucket(FileSystem fs, Path job) {}

    /**
     * Uploads {@code modelFiles} of the tiny model and {@link JobFixtures#twoConcepts} to {@code s3} and writes a
     * job file reading and writing only there ({@code extra}: more job-file lines).
     */
    static Bucket upload(S3TestServer s3, Path tmp, List<String> modelFiles, String extra) throws Exception {
        Map<String, String> settings = new java.util.TreeMap<>(s3.settings());
        settings.remove("fs.s3a.impl.disable.cache");
        Configuration conf = new Configuration();
        settings.forEach(conf::set);
        FileSystem fs = FileSystem.get(java.net.URI.create(s3.uri("")), conf);
        for (String f : modelFiles) {
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(TestData.tinyModel().resolve(f).toUri()),
                    new org.apache.hadoop.fs.Path(s3.uri("models/tiny/" + f)));
        }
        JobFixtures.twoConcepts(tmp.resolve("images"));
        try (var files = Files.walk(tmp.resolve("images"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(p.toUri()), new org.apache.hadoop.fs.Path(
                        s3.uri("images/" + tmp.resolve("images").relativize(p))));
            }
        }
        String hadoop = settings.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\" = \"" + e.getValue() + "\"")
                .collect(Collectors.joining("\n", "  hadoop {\n", "\n  }\n"));
        return new Bucket(fs, JobFixtures.jobFile(tmp, s3.uri("models/tiny"), s3.uri("images"), s3.uri("out"),
                hadoop + extra));
    }

    @Test
    void prepareAndLatentsOnS3(@TempDir Path tmp) throws Exception {
        TestSpark.session();
        // a bucket name of its own: the file-system cache (keyed by bucket) can stay on, which saves a new S3
        // client per file access, without handing another test a client of this (stopped) server
        try (S3TestServer s3 = new S3TestServer("sdti-round-trip")) {
            Bucket b = upload(s3, tmp, MODEL_FILES, "");
            FileSystem fs = b.fs();
            Path job = b.job();

            JobFixtures.Result prepare = JobFixtures.run("prepare", "--config", job.toString());
            assertEquals(3, prepare.code(), prepare.out() + prepare.err());
            JobFixtures.Result latents = JobFixtures.run("latents", "--config", job.toString());
            assertEquals(3, latents.code(), latents.out() + latents.err());

            JsonNode report = read(fs, s3.uri("out/_reports/latents.json"));
            assertEquals(4, report.path("counters").path("latents_encoded").asLong());
            assertTrue(report.path("model").asText().startsWith("s3a://sdti-round-trip/models/tiny"));
            JsonNode prep = read(fs, s3.uri("out/_reports/prepare.json"));
            assertEquals("NOT_AN_IMAGE", prep.path("concepts").get(1).path("rejected").get(0).path("reason").asText());
            assertTrue(prep.path("concepts").get(0).path("rejected").get(0).path("file").asText()
                    .startsWith("s3a://sdti-round-trip/images/cat/"));
            assertEquals(4, TestSpark.session().read().schema(Schemas.LATENTS)
                    .parquet(s3.uri("out/_data/latents")).count());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(s3.uri("out/_data/_commits/latents/cat-toy.json"))));

            Map<String, Long> before = listing(fs, s3.uri("out/_data"));
            assertEquals(3, JobFixtures.run("latents", "--config", job.toString()).code());
            assertEquals(0, read(fs, s3.uri("out/_reports/latents.json")).path("counters")
                    .path("latents_encoded").asLong());
            assertEquals(before, listing(fs, s3.uri("out/_data")));
        }
    }

    /**
     * The whole pipeline with model, images and output on S3: the broken concept fails (exit 3), the other ends with
     * its embedding and images in the bucket, and a rerun writes nothing there but the reports; on the model's
     * single-file copy in the bucket it renders the same bytes (issue 14).
     */
    @Test
    void pipelineOnS3(@TempDir Path tmp) throws Exception {
        TestSpark.session();
        try (S3TestServer s3 = new S3TestServer("sdti-pipeline-trip")) {
            List<String> all;
            try (var files = Files.walk(TestData.tinyModel())) {
                all = files.filter(Files::isRegularFile).map(p -> TestData.tinyModel().relativize(p).toString())
                        .sorted().toList();
            }
            Bucket b = upload(s3, tmp, all, JobFixtures.SMALL_PIPELINE);
            JobFixtures.Result r = JobFixtures.run("pipeline", "--config", b.job().toString());
            assertEquals(3, r.code(), r.out() + r.err());
            JsonNode report = read(b.fs(), s3.uri("out/_reports/pipeline.json"));
            JsonNode cat = report.path("concepts").get(0);
            assertEquals("done", cat.path("status").asText(), cat.toString());
            assertEquals(s3.uri("out/cat-toy/learned_embeds.safetensors"), cat.path("outputs").path("embedding")
                    .asText());
            assertEquals(4, cat.path("outputs").path("steps").asLong());
            assertEquals(2, cat.path("outputs").path("images").asLong());
            assertEquals("prepare", report.path("concepts").get(1).path("failed_in").asText());
            assertTrue(r.out().contains(s3.uri("out/cat-toy/images")), r.out());
            Map<String, Long> files = listing(b.fs(), s3.uri("out"));
            assertTrue(files.keySet().stream().anyMatch(f -> f.startsWith(s3.uri("out/cat-toy/images/"))
                    && f.endsWith(".png")), files.toString());
            assertTrue(files.keySet().stream().noneMatch(f -> f.contains("_staging") || f.contains("_temporary")),
                    "nothing half-written left: " + files);

            Map<String, Long> before = withoutReports(files);
            JobFixtures.Result again = JobFixtures.run("pipeline", "--config", b.job().toString());
            assertEquals(3, again.code(), again.out() + again.err());
            assertEquals(before, withoutReports(listing(b.fs(), s3.uri("out"))), "a rerun writes nothing");

            // the same job on the model's single-file copy in the bucket (LDM layout; the architecture from the
            // folder's configs there), into the same output folder emptied (PNG text names the embedding's path).
            // Named tiny.safetensors so that the model name the PNGs carry ("tiny") is the folder's.
            List<byte[]> folderPictures = pictures(b.fs(), s3.uri("out"));
            assertEquals(5, folderPictures.size(), "2 seeds x 2 prompts that render + the validation image");
            org.apache.hadoop.fs.Path embedding = new org.apache.hadoop.fs.Path(
                    s3.uri("out/cat-toy/learned_embeds.safetensors"));
            float[] folderVectors = EmbeddingFiles.read(b.fs(), embedding).flat();
            b.fs().delete(new org.apache.hadoop.fs.Path(s3.uri("out")), true);
            b.fs().copyFromLocalFile(new org.apache.hadoop.fs.Path(
                    TestData.path("fixtures/tiny-sd2/single-file/model.safetensors").toUri()),
                    new org.apache.hadoop.fs.Path(s3.uri("models/tiny.safetensors")));
            String job = Files.readString(b.job());
            String folderModel = "model = \"" + s3.uri("models/tiny") + "\"";
            assertTrue(job.contains(folderModel), job);
            Path singleJob = Files.writeString(Files.createDirectories(tmp.resolve("single")).resolve("job.conf"),
                    job.replace(folderModel, "model = \"" + s3.uri("models/tiny.safetensors") + "\"\n"
                            + "  model-config = \"" + s3.uri("models/tiny") + "\""));
            JobFixtures.Result single = JobFixtures.run("pipeline", "--config", singleJob.toString());
            assertEquals(3, single.code(), single.out() + single.err());
            // the learned vectors bit for bit, and every picture in the same bytes
            assertArrayEquals(folderVectors, EmbeddingFiles.read(b.fs(), embedding).flat(), "learned vectors");
            List<byte[]> singlePictures = pictures(b.fs(), s3.uri("out"));
            assertEquals(folderPictures.size(), singlePictures.size());
            for (int i = 0; i < folderPictures.size(); i++) {
                assertEquals(PngText.read(folderPictures.get(i)), PngText.read(singlePictures.get(i)),
                        "picture " + i + "'s text");
                assertArrayEquals(folderPictures.get(i), singlePictures.get(i), "picture " + i);
            }
        }
    }

    /**
     * The bytes of every PNG under {@code out}, in the generate manifest's order, then the validation images by
     * name (file names hash where the model is, so a folder and its single file name the same picture differently).
     */
    private static List<byte[]> pictures(FileSystem fs, String out) throws Exception {
        List<byte[]> all = new java.util.ArrayList<>();
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(out + "/_generate/manifest.jsonl"))) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                JsonNode row = JSON.readTree(line);
                if (row.hasNonNull("image")) {
                    all.add(bytes(fs, out + "/" + row.path("image").asText()));
                }
            }
        }
        for (String f : listing(fs, out).keySet()) {
            if (f.contains("/validation/") && f.endsWith(".png")) {
                all.add(bytes(fs, f));
            }
        }
        return all;
    }

    private static byte[] bytes(FileSystem fs, String uri) throws Exception {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
            return in.readAllBytes();
        }
    }

    private static Map<String, Long> withoutReports(Map<String, Long> files) {
        Map<String, Long> m = new java.util.TreeMap<>(files);
        m.keySet().removeIf(k -> k.contains("/_reports/"));
        return m;
    }

    private static JsonNode read(FileSystem fs, String uri) throws Exception {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
            return JSON.readTree(in);
        }
    }

    private static Map<String, Long> listing(FileSystem fs, String uri) throws Exception {
        Map<String, Long> out = new java.util.TreeMap<>();
        var it = fs.listFiles(new org.apache.hadoop.fs.Path(uri), true);
        while (it.hasNext()) {
            var s = it.next();
            out.put(s.getPath().toString(), s.getModificationTime());
        }
        return out;
    }
}
