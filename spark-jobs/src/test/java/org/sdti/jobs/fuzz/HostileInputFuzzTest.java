package org.sdti.jobs.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.dataprep.ImageDecoder;
import org.sdti.dataprep.UnusableImageException;
import org.sdti.jobs.config.JobConfig;
import org.sdti.jobs.config.SdtiConfig;
import org.sdti.jobs.generate.EmbeddingLoader;
import org.sdti.jobs.runtime.ExitCodes;
import org.sdti.jobs.testing.JobFixtures;
import org.sdti.model.embeddings.EmbeddingFiles;
import org.sdti.model.embeddings.EmbeddingFormat;
import org.sdti.model.embeddings.LearnedEmbedding;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.testing.TestData;
import org.sdti.model.text.ClipTokenizer;

/**
 * Issue 16's fuzz suite: seeded malformed safetensors, torch zips and pickles, images, prompts and job files go
 * through the code the CLI runs for them, and each case must end as the CLI would with exit 0 or 2 (never 1: no
 * crash, no uncaught Error), within a generous time bound and a heap bound ({@link #HEAP_CAP} bytes allocated per
 * case), writing nothing outside its output folder. Prompts go
 * through the CLI itself (in process); files and job files through the readers and checks the commands call before
 * any weights load, classified with the CLI's own {@link ExitCodes#of} (loading a model per case would make a few
 * hundred cases take minutes). Images must decode or be rejected with a reason, as prepare reports them.
 *
 * <p>The default run has about 700 cases (under a minute in all): {@link #CASES} per file generator, four times
 * as many of the cheap weights and images, a third as many CLI prompt runs; the {@code slow} suite runs
 * {@link #SLOW_CASES} of each. A failure names the generator and seed, which rebuild the input.
 */
class HostileInputFuzzTest {
    static final int CASES = 60;
    static final int SLOW_CASES = 1_000;
    private static final Duration BOUND = Duration.ofSeconds(30);
    /**
     * The heap bytes a case may allocate (garbage included). When this was set the most of any default case was
     * 100 MiB (a CLI prompt run, which loads the tokenizer), job files 85 MiB, files and images under 3 MiB; the
     * inputs are kilobytes, so a reader that trusts a length field or reads a stream whole goes far over it.
     */
    static final long HEAP_CAP = 256L << 20;
    private static final com.sun.management.ThreadMXBean ALLOCATION = allocationCounter();
    private static final String TINY = TestData.tinyModel().toString();
    private static final int TINY_WIDTH = 16;

    @TempDir
    Path dir;

    @Test
    void safetensorsEmbeddings() throws Exception {
        fuzzEmbeddings("safetensors", seedSafetensors(), CASES);
    }

    @Test
    void torchZipsAndPickles() throws Exception {
        fuzzEmbeddings("pt", seedTorchZip(), CASES);
        fuzzPickles(CASES);
    }

    @Test
    void weightFiles() throws Exception {
        fuzzWeights(4 * CASES);
    }

    @Test
    void images() throws Exception {
        fuzzImages(4 * CASES);
    }

    @Test
    void prompts() throws Exception {
        // each case is a whole CLI run (about a second): fewer of them
        fuzzPrompts(CASES / 3);
    }

    @Test
    void jobFiles() throws Exception {
        fuzzJobFiles(CASES);
    }

    /** The bounds can fail: a case that allocates past the cap (garbage at once) or throws an Error is named. */
    @Test
    void theHeapBoundAndErrorsAreCaught() {
        List<String> failures = new ArrayList<>();
        bounded(failures, "within", () -> blackhole(new byte[1 << 20]));
        bounded(failures, "greedy", () -> {
            for (long n = 0; n <= HEAP_CAP; n += 1 << 20) {
                blackhole(new byte[1 << 20]);
            }
        });
        check(failures, "erring", () -> {
            throw new StackOverflowError("injected");
        });
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.get(0).matches("greedy: allocated 25[7-9] MiB on the heap, over the cap of 256 MiB"),
                failures.get(0));
        assertTrue(failures.get(1).startsWith("erring: ") && failures.get(1).contains("exit 1: "
                + "java.lang.StackOverflowError: injected"), failures.get(1));
    }

    /** Keeps an allocation from being optimised away. */
    private static int blackhole(byte[] b) {
        return b.length;
    }

    @Tag("slow")
    @Test
    void everyGeneratorAtLength() throws Exception {
        fuzzEmbeddings("safetensors", seedSafetensors(), SLOW_CASES);
        fuzzEmbeddings("pt", seedTorchZip(), SLOW_CASES);
        fuzzPickles(SLOW_CASES);
        fuzzWeights(SLOW_CASES);
        fuzzImages(SLOW_CASES);
        fuzzPrompts(SLOW_CASES / 4);
        fuzzJobFiles(SLOW_CASES);
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!bean.isThreadAllocatedMemorySupported() || !bean.isThreadAllocatedMemoryEnabled()) {
            throw new IllegalStateException("this JVM does not count allocated bytes per thread: the heap bound "
                    + "cannot be checked");
        }
        return bean;
    }

    // ---- generators and checks ---------------------------------------------------------------------------------

    private void fuzzEmbeddings(String ext, byte[] seed, int cases) throws Exception {
        ClipTokenizer tokenizer = ClipTokenizer.load(org.sdti.model.io.ModelFolder.open(TINY).tokenizerFiles());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = new SplittableRandom(ext.hashCode() * 1_000_003L + i);
            Path file = Files.write(dir.resolve("e" + i + "." + ext), Mutations.of(seed, r));
            // what `sdti generate --embedding FILE` does before it loads weights
            check(failures, ext + " #" + i, () -> {
                EmbeddingLoader.Loaded e = EmbeddingLoader.load(file.toString(), new Configuration(), TINY_WIDTH);
                EmbeddingLoader.checkNewTokens(List.of(e), tokenizer);
            });
        }
        assertEquals(List.of(), failures);
    }

    /** The torch seed's data.pkl mutated inside a well-formed zip, so the unpickler sees the damage. */
    private void fuzzPickles(int cases) throws Exception {
        Map<String, byte[]> entries = Mutations.unzip(seedTorchZip());
        String pkl = entries.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = new SplittableRandom(77_000L + i);
            Map<String, byte[]> mutated = new java.util.LinkedHashMap<>(entries);
            mutated.put(pkl, Mutations.of(entries.get(pkl), r));
            Path file = Files.write(dir.resolve("p" + i + ".pt"), Mutations.zip(mutated));
            check(failures, "pickle #" + i, () -> EmbeddingLoader.load(file.toString(), new Configuration(),
                    TINY_WIDTH));
        }
        assertEquals(List.of(), failures);
    }

    /** Model weight files as `sdti generate` opens them: the header, then every tensor read. */
    private void fuzzWeights(int cases) throws Exception {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        for (int t = 0; t < 4; t++) {
            w.addFloats("layer." + t + ".weight", new long[] {4, 3}, new float[12]);
        }
        Path seedFile = dir.resolve("seed-weights.safetensors");
        w.write(seedFile);
        byte[] seed = Files.readAllBytes(seedFile);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = new SplittableRandom(31_000L + i);
            Path file = Files.write(dir.resolve("w" + i + ".safetensors"), Mutations.of(seed, r));
            check(failures, "weights #" + i, () -> {
                try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                    for (String name : f.names()) {
                        if (f.info(name).dtype().isFloating()) {
                            f.floats(name);
                        } else {
                            f.longs(name);
                        }
                    }
                }
            });
        }
        assertEquals(List.of(), failures);
    }

    private void fuzzImages(int cases) throws Exception {
        byte[][] seeds = {JobFixtures.image(24, 20, 1, "png"), JobFixtures.image(24, 20, 2, "jpeg"),
            JobFixtures.image(24, 20, 3, "bmp"), JobFixtures.image(24, 20, 4, "gif")};
        ImageDecoder decoder = new ImageDecoder(1 << 20);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            SplittableRandom r = new SplittableRandom(5_000L + i);
            byte[] bytes = Mutations.of(seeds[i % seeds.length], r);
            bounded(failures, "image #" + i, () -> {
                try {
                    decoder.decode(bytes);
                } catch (UnusableImageException rejected) {
                    // prepare reports it with its reason: the expected outcome for most cases
                }
            });
        }
        assertEquals(List.of(), failures);
    }

    /** Through the CLI: `sdti tokenize --model TINY TEXT` must exit 0 or 2. */
    private void fuzzPrompts(int cases) throws Exception {
        List<String> failures = new ArrayList<>();
        // one benign run first: the bounds are on what a prompt costs, not on loading the CLI's classes (which took
        // over 30 s on a loaded machine)
        assertEquals(0, JobFixtures.run("tokenize", "--model", TINY, "a cat").code());
        for (int i = 0; i < cases; i++) {
            String text = Mutations.prompt(new SplittableRandom(9_000L + i));
            Map<String, String> before = JobFixtures.snapshot(dir);
            bounded(failures, "prompt #" + i, () -> {
                JobFixtures.Result res = JobFixtures.run("tokenize", "--model", TINY, "--add-token", "<x>:2", text);
                if (res.code() != 0 && res.code() != 2) {
                    throw new AssertionError("exit " + res.code() + ": " + res.err());
                }
            });
            if (!before.equals(JobFixtures.snapshot(dir))) {
                failures.add("prompt #" + i + ": wrote files");
            }
        }
        assertEquals(List.of(), failures);
    }

    /** A valid job file mutated by edits and hostile snippets, parsed and checked as every stage does first. */
    private void fuzzJobFiles(int cases) throws Exception {
        Path images = dir.resolve("images");
        JobFixtures.twoConcepts(images);
        Path out = dir.resolve("out");
        String seed = Files.readString(JobFixtures.jobFile(dir, TINY, images.toString(), out.toString(),
                "  train { steps = 4 }\n  generate { prompts = [{ prompt = \"a <cat-toy>\", seeds = [1] }] }\n"));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            Path job = dir.resolve("job" + i + ".conf");
            Files.write(job, Mutations.bytes(Mutations.jobFile(seed, new SplittableRandom(12_000L + i))));
            Map<String, String> before = JobFixtures.snapshot(dir, "out");
            check(failures, "job file #" + i, () -> {
                JobConfig parsed = JobConfig.from(SdtiConfig.load(job.toFile(), Map.of()));
                Configuration conf = new Configuration();
                org.sdti.jobs.train.TrainJob.check(parsed, conf);
                org.sdti.jobs.generate.GenerateJob.check(parsed, conf);
            });
            Map<String, String> after = JobFixtures.snapshot(dir, "out");
            after.keySet().removeIf(k -> k.equals(job.getFileName().toString()));
            before.keySet().removeIf(k -> k.equals(job.getFileName().toString()));
            if (!before.equals(after)) {
                failures.add("job file #" + i + ": wrote files outside the output folder");
            }
        }
        assertEquals(List.of(), failures);
    }

    /** Runs a case: success and exit-2 errors pass; anything else (exit 1, an Error, a time-out) is a failure. */
    private static void check(List<String> failures, String name, Case c) {
        bounded(failures, name, () -> {
            try {
                c.run();
            } catch (Throwable t) {
                if (ExitCodes.of(t) != ExitCodes.BAD_INPUT) {
                    throw new AssertionError("exit " + ExitCodes.of(t) + ": " + t, t);
                }
            }
        });
    }

    /**
     * Runs a case within {@link #BOUND} and {@link #HEAP_CAP}: what it throws, a time-out or more bytes allocated
     * is a failure, named. The bytes are HotSpot's count of what the case's thread allocated on the heap (garbage
     * included, so a file read whole or an array sized from a hostile length counts even when it is freed at once);
     * the cases run on that one thread, and none touches ND4J's off-heap memory.
     */
    private static void bounded(List<String> failures, String name, Case c) {
        try {
            long allocated = assertTimeoutPreemptively(BOUND, () -> {
                long before = ALLOCATION.getCurrentThreadAllocatedBytes();
                c.run();
                return ALLOCATION.getCurrentThreadAllocatedBytes() - before;
            });
            if (allocated > HEAP_CAP) {
                failures.add(name + ": allocated " + (allocated >> 20) + " MiB on the heap, over the cap of "
                        + (HEAP_CAP >> 20) + " MiB");
            }
        } catch (Throwable t) {
            failures.add(name + ": " + t);
        }
    }

    private interface Case {
        void run() throws Exception;
    }

    // ---- seeds -------------------------------------------------------------------------------------------------

    private byte[] seedSafetensors() throws IOException {
        Path f = dir.resolve("seed.safetensors");
        EmbeddingFiles.write(new LearnedEmbedding("<fuzz>", vectors()), EmbeddingFormat.DIFFUSERS_SAFETENSORS, f);
        return Files.readAllBytes(f);
    }

    private byte[] seedTorchZip() throws IOException {
        Path f = dir.resolve("seed.pt");
        EmbeddingFiles.write(new LearnedEmbedding("<fuzz>", vectors()), EmbeddingFormat.A1111_PT, f);
        return Files.readAllBytes(f);
    }

    private static float[][] vectors() {
        float[][] v = new float[2][TINY_WIDTH];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < TINY_WIDTH; j++) {
                v[i][j] = (i + 1) * 0.01f * (j - 8);
            }
        }
        return v;
    }

    /** Seeded damage: byte flips, cuts, inserted and repeated runs, extreme little-endian numbers. */
    static final class Mutations {
        private static final String[] PROMPT_PIECES = {"a photo of ", "<x>", "<x>_1", "\u001B[", "1234567890",
            ";", "m", "\u00C3\u00A9", "\u00E2\u0080\u0099", "\u732B", "\uD83D\uDE00", "\uD800", "\uDC00", "\0", "\n",
            "\r\n", "\u2028", "\u200F", "\u0301", "&amp;", "&#x1F600;", "&#99999999;", "Negative prompt: ",
            "Steps: 9, ", "\\", "\"", "'s", " ", "\t", "\u00A0", "\uFEFF", "\u0085", "\u009B"};
        private static final String[] JOB_SNIPPETS = {"include url(\"http://127.0.0.1:9/x\")\n",
            "include \"missing.conf\"\n", "include file(\"/dev/zero\")\n", "${?NOPE}", "${nope}", "{", "}", "[",
            "]", "\"", "=", ":", ",", "\n", "vectors = 200000\n", "vectors = -1\n", "steps = 1e400\n",
            "steps = 99999999999999999999\n", "token = \"\"\n", "token = \" \"\n", "token = \"\\u0000\"\n",
            "images = \"s3a://K:S@b/x\"\n", "images = \"/dev/zero\"\n", "hadoop = \"secret\"\n", "a.b.c.d.e = 1\n",
            "concepts = []\n", "concepts = [1, 2]\n", "prompts = [{}]\n", "seeds = [-1]\n", "\0", "\uD800",
            "a { a { a { a { a { a { a { a { }}}}}}}}\n"};

        private Mutations() {}

        static byte[] of(byte[] seed, SplittableRandom r) {
            byte[] b = seed.clone();
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                b = switch (r.nextInt(7)) {
                    case 0 -> flip(b, r);
                    case 1 -> java.util.Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
                    case 2 -> insert(b, r, randomBytes(r, 1 + r.nextInt(64)));
                    case 3 -> insert(b, r, slice(b, r));
                    case 4 -> number(b, r);
                    case 5 -> number(b, r);
                    default -> flip(flip(b, r), r);
                };
            }
            return b;
        }

        static String prompt(SplittableRandom r) {
            StringBuilder s = new StringBuilder();
            int pieces = r.nextInt(40);
            for (int i = 0; i < pieces; i++) {
                String p = PROMPT_PIECES[r.nextInt(PROMPT_PIECES.length)];
                s.append(r.nextInt(10) == 0 ? p.repeat(1 + r.nextInt(3_000)) : p);
            }
            return s.toString();
        }

        static String jobFile(String seed, SplittableRandom r) {
            StringBuilder s = new StringBuilder(seed);
            int edits = 1 + r.nextInt(3);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(s.length() + 1);
                switch (r.nextInt(3)) {
                    case 0 -> s.insert(at, JOB_SNIPPETS[r.nextInt(JOB_SNIPPETS.length)]);
                    case 1 -> s.delete(at, Math.min(s.length(), at + 1 + r.nextInt(12)));
                    default -> s.insert(at, (char) (32 + r.nextInt(95)));
                }
            }
            return s.toString();
        }

        /**
         * UTF-8, except that a lone surrogate (a snippet) is written as its three bytes: invalid UTF-8, as a damaged
         * file holds it ({@link Files#writeString} refuses to write it at all).
         */
        static byte[] bytes(String text) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
                int c = text.codePointAt(i);
                if (Character.getType(c) == Character.SURROGATE) {
                    out.write(0xE0 | c >> 12);
                    out.write(0x80 | (c >> 6 & 0x3F));
                    out.write(0x80 | (c & 0x3F));
                } else {
                    out.writeBytes(Character.toString(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return out.toByteArray();
        }

        private static byte[] flip(byte[] b, SplittableRandom r) {
            if (b.length > 0) {
                b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            return b;
        }

        /** An extreme number written little-endian at a random place (length fields, offsets, shapes). */
        private static byte[] number(byte[] b, SplittableRandom r) {
            long[] extremes = {0, -1, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 32, 1L << 31,
                200_000, b.length, b.length + 1};
            long v = extremes[r.nextInt(extremes.length)];
            int width = r.nextBoolean() ? 8 : 4;
            if (b.length < width) {
                return b;
            }
            int at = r.nextInt(Math.min(b.length - width + 1, r.nextBoolean() ? 16 : b.length - width + 1));
            for (int k = 0; k < width; k++) {
                b[at + k] = (byte) (v >>> (8 * k));
            }
            return b;
        }

        private static byte[] insert(byte[] b, SplittableRandom r, byte[] what) {
            int at = r.nextInt(b.length + 1);
            byte[] out = new byte[b.length + what.length];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(what, 0, out, at, what.length);
            System.arraycopy(b, at, out, at + what.length, b.length - at);
            return out;
        }

        private static byte[] slice(byte[] b, SplittableRandom r) {
            if (b.length == 0) {
                return b;
            }
            int from = r.nextInt(b.length);
            return java.util.Arrays.copyOfRange(b, from, Math.min(b.length, from + 1 + r.nextInt(256)));
        }

        private static byte[] randomBytes(SplittableRandom r, int n) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) r.nextInt(256);
            }
            return out;
        }

        /** The entries of a zip (torch's: stored, with data descriptors, which ZipInputStream cannot read). */
        static Map<String, byte[]> unzip(byte[] zip) throws IOException {
            Path tmp = Files.createTempFile("sdti-fuzz-", ".zip");
            Map<String, byte[]> out = new java.util.LinkedHashMap<>();
            try (ZipFile z = new ZipFile(Files.write(tmp, zip).toFile())) {
                for (ZipEntry e : java.util.Collections.list(z.entries())) {
                    out.put(e.getName(), z.getInputStream(e).readAllBytes());
                }
            } finally {
                Files.delete(tmp);
            }
            return out;
        }

        static byte[] zip(Map<String, byte[]> entries) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    z.putNextEntry(new ZipEntry(e.getKey()));
                    z.write(e.getValue());
                }
            }
            return bytes.toByteArray();
        }
    }
}
