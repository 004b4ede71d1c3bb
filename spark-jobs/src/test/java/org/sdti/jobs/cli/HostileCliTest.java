package org.sdti.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.testing.TestData;

/**
 * Issue 16 through the CLI, in process: hostile flags, prompts, job files and files end with exit 2 and one line
 * naming the flag, key or file and the cap, in bounded time, with no secret in the output.
 */
class HostileCliTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String TINY = TestData.tinyModel().toString();

    @TempDir
    Path dir;

    private static JobFixtures.Result run(String... args) {
        return assertTimeoutPreemptively(BOUND, () -> JobFixtures.run(args));
    }

    private static void assertBadInput(JobFixtures.Result r, String... fragments) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), r.err());
        }
    }

    @Test
    void twoHundredThousandVectorsOfAnAddedTokenExitTwoAtOnce() {
        assertBadInput(run("tokenize", "--model", TINY, "--add-token", "<x>:200000", "a <x>"), "--add-token <x>:200000",
                "cap on vectors");
    }

    @Test
    void hostilePromptsExitZeroOrTwoNeverOne() {
        assertEquals(0, run("tokenize", "--model", TINY, "\u001B[" + "7".repeat(5_000) + "m cat").code());
        assertEquals(0, run("tokenize", "--model", TINY, "\u732B " + "\u00C3\u00A9".repeat(2_500)).code());
        assertBadInput(run("tokenize", "--model", TINY, "\u001B[" + "7".repeat(20_000) + "m"), "cap on text length");
    }

    @Test
    void aPromptPastTheTextCapExitsTwoBeforeWeightsLoad() {
        JobFixtures.Result r = run("generate", "--model", TINY, "--prompt", "a cat " + "x".repeat(20_000),
                "--output", dir.resolve("out").toString());
        assertBadInput(r, "sdti.generate.prompts[0].prompt", "cap on text length");
        assertFalse(r.err().contains("loading"), "no weights loaded: " + r.err());
    }

    @Test
    void embeddingsOfAVocabularyWordOrNanValuesExitTwoBeforeWeightsLoad() throws Exception {
        float[][] v = {new float[16]};
        Path word = dir.resolve("cat.safetensors");
        EmbeddingFiles.write(new LearnedEmbedding("cat", v), EmbeddingFormat.DIFFUSERS_SAFETENSORS, word);
        JobFixtures.Result r = run("generate", "--model", TINY, "--prompt", "a cat", "--embedding", word.toString(),
                "--output", dir.resolve("out").toString());
        assertBadInput(r, "--embedding " + word, "'cat' is already in the vocabulary");
        assertFalse(r.err().contains("loading"), "no weights loaded: " + r.err());
        v[0][3] = Float.NaN;
        Path nan = dir.resolve("nan.safetensors");
        EmbeddingFiles.write(new LearnedEmbedding("<nan>", v), EmbeddingFormat.DIFFUSERS_SAFETENSORS, nan);
        r = run("generate", "--model", TINY, "--prompt", "a <nan>", "--embedding", nan.toString(),
                "--output", dir.resolve("out").toString());
        assertBadInput(r, nan.toString(), "vector 0 holds NaN");
    }

    @Test
    void conceptsWhoseTokensRunIntoEachOtherExitTwo() throws Exception {
        Path images = dir.resolve("images");
        JobFixtures.twoConcepts(images);
        Path job = dir.resolve("job.conf");
        Files.writeString(job, "sdti {\n  model = \"" + TINY + "\"\n  output = \"" + dir.resolve("out") + "\"\n"
                + "  concepts = [\n    { token = \"<tok>\", init = toy, images = \"" + images + "/cat\" }\n"
                + "    { token = \"<tok>_1\", init = toy, images = \"" + images + "/cat\" }\n  ]\n}\n");
        assertBadInput(run("prepare", "--config", job.toString()), "sdti.concepts[1].token",
                "would become a vector of sdti.concepts[0]");
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");
    }

    /** Point 3's Spark case: this caption ended prepare with Spark's exit code 50, the healthy concept lost too. */
    @Test
    void hostileCaptionsLeaveTheHealthyConceptDone() throws Exception {
        Path images = dir.resolve("images");
        JobFixtures.twoConcepts(images);
        Files.writeString(images.resolve("cat/a.txt"), "\u001B[" + "7".repeat(4_000) + "m \u732B "
                + "\u00C3\u00A9".repeat(2_000));
        Path job = JobFixtures.jobFile(dir, TINY, images.toString(), dir.resolve("out").toString(),
                "  concept-defaults { captions = true }\n");
        JobFixtures.Result r = run("prepare", "--config", job.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("prepare: 1 of 2 concepts done, 1 failed"), r.out());
        assertTrue(Files.exists(dir.resolve("out/_reports/prepare.json")));
    }

    @Test
    void includeUrlIsRefusedNotFetched() throws Exception {
        Path job = dir.resolve("job.conf");
        Files.writeString(job, "include url(\"http://127.0.0.1:9/sdti.conf\")\nsdti { model = \"" + TINY + "\" }\n");
        assertBadInput(run("tokenize", "--config", job.toString(), "a cat"), "http://127.0.0.1:9/sdti.conf",
                "not URLs");
        // an unqualified include that is a URL too
        Files.writeString(job, "include \"http://127.0.0.1:9/x.conf\"\nsdti { model = \"" + TINY + "\" }\n");
        assertBadInput(run("tokenize", "--config", job.toString(), "a cat"), "not URLs");
        // files still include
        Files.writeString(dir.resolve("model.conf"), "sdti.model = \"" + TINY + "\"\n");
        Files.writeString(job, "include \"model.conf\"\n");
        assertEquals(0, run("tokenize", "--config", job.toString(), "a cat").code());
    }

    @Test
    void aHadoopSettingOfTheWrongTypeIsNamedButNotShown() throws Exception {
        Path images = dir.resolve("images");
        JobFixtures.twoConcepts(images);
        Path job = JobFixtures.jobFile(dir, TINY, images.toString(), dir.resolve("out").toString(),
                "  hadoop = \"AKIASECRETVALUE123\"\n");
        JobFixtures.Result r = run("prepare", "--config", job.toString());
        assertBadInput(r, "sdti.hadoop");
        assertFalse((r.out() + r.err()).contains("AKIASECRETVALUE123"), r.err());
    }

    @Test
    void latentsOfExtremeSizesExitTwoBeforeAnyAllocation() throws Exception {
        // a sparse file whose header claims [64, 4, 4096, 4096] floats (16 GiB), and one of zero size
        for (String shape : new String[] {"[64,4,4096,4096]", "[1,4,0,8]"}) {
            long bytes = 4L * java.util.Arrays.stream(shape.replaceAll("[\\[\\]]", "").split(","))
                    .mapToLong(Long::parseLong).reduce(1, (a, b) -> a * b);
            String header = "{\"latents\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0," + bytes
                    + "]}}";
            Path file = dir.resolve("big.safetensors");
            Files.deleteIfExists(file);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                byte[] h = header.getBytes(StandardCharsets.UTF_8);
                f.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(h.length)
                        .array());
                f.write(h);
                f.setLength(8 + h.length + bytes);
            }
            assertBadInput(run("generate", "--model", TINY, "--prompt", "a cat", "--latents", file.toString(),
                    "--output", dir.resolve("out").toString()), "latents file " + file);
        }
    }

    /**
     * A small {@code --latents} file under the cap on values whose shape alone sets an extreme image size (the
     * request gives no width or height), and flags past the cap on sides: exit 2 before any weight loads.
     */
    @Test
    void imageSidesPastTheCapExitTwoBeforeWeightsLoad() throws Exception {
        // 1 x 4 x 8 x 32768 values, 4 MiB: 65536 x 16 pixels at the tiny model's VAE factor of 2
        Path file = dir.resolve("wide.safetensors");
        new SafeTensorsWriter().addFloats("latents", new long[] {1, 4, 8, 32768}, new float[4 * 8 * 32768])
                .write(file);
        Path out = dir.resolve("out");
        assertBadInput(run("generate", "--model", TINY, "--prompt", "a cat", "--latents", file.toString(),
                "--output", out.toString()), "the initial latents [8, 32768] make 65536x16 images; width and height "
                + "are capped at 4096 pixels");
        assertBadInput(run("generate", "--model", TINY, "--prompt", "a cat", "--width", "8192", "--output",
                out.toString()), "sdti.generate.width: must be at most 4096 (the cap on image sides), got 8192");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void credentialsInAnS3aUriAreRefusedBeforeAnyFileSystemSeesThem() throws Exception {
        // refused while the settings are read: no file system (and no credential provider's network look-up)
        String uri = "s3a://AKIAEXAMPLEKEY:wJalrXUtnFEMIsecretKEY@bucket/m";
        JobFixtures.Result r = run("tokenize", "--model", uri, "a cat");
        assertBadInput(r, "sdti.model: s3a://***@bucket/m has credentials in it");
        assertFalse((r.out() + r.err()).contains("wJalrXUtnFEMIsecretKEY"), r.err());
        Path job = JobFixtures.jobFile(dir, TINY, uri, dir.resolve("out").toString(), "");
        r = run("prepare", "--config", job.toString());
        assertBadInput(r, "sdti.concepts[0].images", "has credentials in it");
        assertFalse((r.out() + r.err()).contains("wJalrXUtnFEMIsecretKEY"), r.err());
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");
        assertEquals("see s3a://***@b/k and hdfs://nn/x", org.sdti.jobs.config.Redaction.uris(
                "see s3a://K:S@b/k and hdfs://nn/x"));
    }
}
