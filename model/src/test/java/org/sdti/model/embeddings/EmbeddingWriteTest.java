package org.sdti.model.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.Version;
import org.sdti.model.io.DType;
import org.sdti.model.io.NonLocalFileSystem;
import org.sdti.model.io.SafeTensorsException;
import org.sdti.model.io.SafeTensorsFile;
import org.sdti.model.io.TensorInfo;

/** Both writers: round trips, the layouts other tools expect, atomic replacement. */
class EmbeddingWriteTest {
    @TempDir
    Path dir;

    /** The A1111 sample's content: joe-bruin, 2 × 1024 formula values, step 1500 on SD 2.1 768 EMA. */
    private static final LearnedEmbedding JOE = new LearnedEmbedding("joe-bruin", Samples.formula(2, 1024),
            EmbeddingMetadata.NONE.withStep(1500).withBaseModel("v2-1_768-ema-pruned").withBaseModelHash("ad2a33c361"));

    /** Awkward floats: signed zeros, subnormals, extremes, infinities, NaN payloads, random bits. */
    private static float[][] awkward(int rows, int width) {
        Random r = new Random(42);
        float[][] v = new float[rows][width];
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001),
            Float.intBitsToFloat(0xffbfffff), 1e-40f};
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                int k = i * width + j;
                v[i][j] = k < special.length ? special[k] : Float.intBitsToFloat(r.nextInt());
            }
        }
        return v;
    }

    private static void assertBitExact(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            int[] e = new int[expected[i].length];
            int[] a = new int[actual[i].length];
            for (int j = 0; j < e.length; j++) e[j] = Float.floatToRawIntBits(expected[i][j]);
            for (int j = 0; j < a.length; j++) a[j] = Float.floatToRawIntBits(actual[i][j]);
            assertArrayEquals(e, a, "row " + i);
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---- round trips -------------------------------------------------------------------------------------------

    @Test
    void diffusersRoundTripIsBitExactAndKeepsMetadata() throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("ss_output_name", "kept");
        LearnedEmbedding e = new LearnedEmbedding("<cat-toy>", awkward(3, 1024), EmbeddingMetadata.NONE
                .withStep(5000).withBaseModel("stabilityai/stable-diffusion-2-1").withBaseModelHash("ad2a33c361")
                .withProperties(props));
        Path file = dir.resolve("learned_embeds.safetensors");
        EmbeddingFiles.write(e, EmbeddingFormat.DIFFUSERS_SAFETENSORS, file);

        LearnedEmbedding back = EmbeddingFiles.read(file);
        assertEquals("<cat-toy>", back.token());
        assertBitExact(e.vectors(), back.vectors());
        EmbeddingMetadata m = back.metadata();
        assertEquals(Optional.of(EmbeddingFormat.DIFFUSERS_SAFETENSORS), m.format());
        assertEquals(OptionalLong.of(5000), m.step());
        assertEquals(Optional.of("stabilityai/stable-diffusion-2-1"), m.baseModel());
        assertEquals(Optional.of("ad2a33c361"), m.baseModelHash());
        assertEquals(List.of("format", "sdti_version", "sdti_step", "sdti_base_model", "sdti_base_model_hash",
                "ss_output_name"), List.copyOf(m.properties().keySet()));
        assertEquals("pt", m.properties().get("format"));
        assertEquals(Version.SDTI, m.properties().get("sdti_version"));
        assertEquals("kept", m.properties().get("ss_output_name"));

        // written again, the file is the same: nothing accumulates from one round to the next
        Path again = dir.resolve("again.safetensors");
        EmbeddingFiles.write(back, EmbeddingFormat.DIFFUSERS_SAFETENSORS, again);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again));
    }

    @Test
    void a1111RoundTripIsBitExactAndKeepsMetadata() throws IOException {
        LearnedEmbedding e = new LearnedEmbedding("<joe-bruin>", awkward(4, 1024), EmbeddingMetadata.NONE
                .withStep(3_000_000_000L).withBaseModel("v2-1_512-ema-pruned").withBaseModelHash("88ecb78256"));
        Path file = dir.resolve("joe.pt");
        EmbeddingFiles.write(e, EmbeddingFormat.A1111_PT, file);

        LearnedEmbedding back = EmbeddingFiles.read(file);
        assertEquals("<joe-bruin>", back.token(), "the name inside wins over the file stem");
        assertBitExact(e.vectors(), back.vectors());
        assertEquals(new EmbeddingMetadata(Optional.of(EmbeddingFormat.A1111_PT), OptionalLong.of(3_000_000_000L),
                Optional.of("v2-1_512-ema-pruned"), Optional.of("88ecb78256"), Map.of()), back.metadata());
    }

    @Test
    void a1111WithoutMetadataWritesNones() throws IOException {
        LearnedEmbedding e = new LearnedEmbedding("plain", Samples.formula(1, 16));
        Path file = dir.resolve("plain.pt");
        EmbeddingFiles.write(e, EmbeddingFormat.A1111_PT, file);
        Map<?, ?> root = (Map<?, ?>) TorchArchive.read(file, "t", 1 << 20).load();
        assertEquals(Arrays.asList("plain", null, null, null), Arrays.asList(root.get("name"), root.get("step"),
                root.get("sd_checkpoint"), root.get("sd_checkpoint_name")));
        assertTrue(root.containsKey("step") && root.containsKey("sd_checkpoint"));
        assertEquals(e.withMetadata(EmbeddingMetadata.NONE.withFormat(EmbeddingFormat.A1111_PT)),
                EmbeddingFiles.read(file));
    }

    @Test
    void tinyGoldenCopiesThroughBothWriters() throws IOException {
        LearnedEmbedding golden = EmbeddingFiles.read(org.sdti.model.testing.TestData.goldens("learned_embeds.safetensors"));
        for (EmbeddingFormat f : List.of(EmbeddingFormat.DIFFUSERS_SAFETENSORS, EmbeddingFormat.A1111_PT)) {
            Path file = dir.resolve("copy-" + f);
            EmbeddingFiles.write(golden, f, file);
            LearnedEmbedding back = EmbeddingFiles.read(file, ReadOptions.DEFAULTS.withExpectedWidth(16));
            assertEquals("<joe-bruin>", back.token());
            assertBitExact(golden.vectors(), back.vectors());
        }
    }

    // ---- A1111 layout: what torch.save writes ------------------------------------------------------------------

    @Test
    void a1111FileIsByteForByteWhatTorchSaveWrote() throws IOException, NoSuchAlgorithmException {
        // torch.save to a path names the zip folder after the file; with that folder the bytes are the sample's
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        A1111Writer.writeTo(JOE, "a1111_joe-bruin", out);
        byte[] sample = Files.readAllBytes(Samples.path("a1111_joe-bruin.pt"));
        assertEquals(HexFormat.of().formatHex(sample), HexFormat.of().formatHex(out.toByteArray()));
        assertEquals(Samples.manifest().get("a1111_joe-bruin.pt").get("sha256").asText(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.toByteArray())));
    }

    @Test
    void a1111FileHasTheSamplesPickleInTheArchiveFolder() throws IOException {
        Path file = dir.resolve("joe-bruin.pt");
        EmbeddingFiles.write(JOE, EmbeddingFormat.A1111_PT, file);
        Map<String, byte[]> ours = entries(file);
        Map<String, byte[]> sample = entries(Samples.path("a1111_joe-bruin.pt"));

        assertEquals(List.of("archive/data.pkl", "archive/data/0", "archive/version"), List.copyOf(ours.keySet()));
        // A1111's modules/safe.py refuses any other entry name (torch 2's byteorder included)
        Pattern allowed = Pattern.compile("^([^/]+)/((data/\\d+)|version|(data\\.pkl))$");
        ours.keySet().forEach(n -> assertTrue(allowed.matcher(n).matches(), n));
        assertArrayEquals(sample.get("a1111_joe-bruin/data.pkl"), ours.get("archive/data.pkl"));
        assertArrayEquals(sample.get("a1111_joe-bruin/data/0"), ours.get("archive/data/0"));
        assertEquals("3\n", new String(ours.get("archive/version"), StandardCharsets.US_ASCII));
    }

    @Test
    void a1111PickleUsesOnlyTheSamplesOpcodesAndGlobals() throws IOException {
        byte[] pkl = A1111Pickle.encode(new LearnedEmbedding("x", Samples.formula(75, 1024),
                EmbeddingMetadata.NONE.withStep(123_456)));
        byte[] sample = entries(Samples.path("a1111_joe-bruin.pt")).get("a1111_joe-bruin/data.pkl");
        assertEquals(List.of("collections OrderedDict", "torch FloatStorage", "torch._utils _rebuild_tensor_v2"),
                globals(pkl));
        assertEquals(globals(sample), globals(pkl));
        // same magnitudes as the sample: the same opcodes in the same order of first use
        assertEquals(opcodes(sample), opcodes(A1111Pickle.encode(JOE.withToken("another name"))));
        // 75 vectors and a larger step need BININT, a step-less file NONE; nothing else is new
        List<Integer> extra = new ArrayList<>(opcodes(pkl));
        extra.addAll(opcodes(A1111Pickle.encode(new LearnedEmbedding("y", Samples.formula(1, 8)))));
        extra.removeAll(opcodes(sample));
        assertEquals(List.of((int) 'J', (int) 'N'), extra.stream().distinct().sorted().toList());
    }

    @Test
    void a1111EntriesAreStoredAnd64ByteAlignedWithTorchsPadding() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EmbeddingFiles.writeTo(new LearnedEmbedding("a-much-longer-token-name", Samples.formula(3, 1024)),
                EmbeddingFormat.A1111_PT, out);
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        int entries = 0;
        while (b.getInt(at) == 0x04034b50) {
            assertEquals(0x0808, b.getShort(at + 6), "flags: data descriptor, UTF-8");
            assertEquals(0, b.getShort(at + 8), "stored");
            int nameLength = b.getShort(at + 26);
            int extraLength = b.getShort(at + 28);
            int extra = at + 30 + nameLength;
            assertEquals('F' | 'B' << 8, b.getShort(extra));
            assertEquals(extraLength - 4, b.getShort(extra + 2));
            for (int i = extra + 4; i < extra + extraLength; i++) assertEquals('Z', b.get(i));
            int data = extra + extraLength;
            assertEquals(0, data % 64, "entry " + entries + " data at " + data);
            assertTrue(extraLength - 4 < 64);
            // the descriptor follows the data
            int size = 0;
            while (b.getInt(data + size) != 0x08074b50) size++;
            assertEquals(size, b.getInt(data + size + 8));
            at = data + size + 16;
            entries++;
        }
        assertEquals(3, entries);
        assertEquals(0x02014b50, b.getInt(at), "central directory follows");
        try (ZipFile z = new ZipFile(write(out.toByteArray(), "check.zip").toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) assertEquals(ZipEntry.STORED, e.getMethod());
        }
    }

    // ---- diffusers layout --------------------------------------------------------------------------------------

    @Test
    void diffusersFileHasTheSamplesLayout() throws IOException {
        LearnedEmbedding catToy = new LearnedEmbedding("<cat-toy>", Samples.formula(1, 1024));
        Path file = dir.resolve("learned_embeds.safetensors");
        EmbeddingFiles.write(catToy, EmbeddingFormat.DIFFUSERS_SAFETENSORS, file);
        try (SafeTensorsFile ours = SafeTensorsFile.open(file);
                SafeTensorsFile sample = SafeTensorsFile.open(Samples.path("diffusers_learned_embeds.safetensors"))) {
            assertEquals(List.of("<cat-toy>"), ours.names());
            TensorInfo t = ours.info("<cat-toy>");
            assertEquals(DType.F32, t.dtype());
            assertArrayEquals(new long[] {1, 1024}, t.shape());
            assertEquals(Map.of("format", "pt", "sdti_version", Version.SDTI), ours.metadata());
            assertEquals("format", ours.metadata().keySet().iterator().next());
            assertEquals(sample.bytes("<cat-toy>"), ours.bytes("<cat-toy>"));
        }
    }

    // ---- destinations and atomicity ----------------------------------------------------------------------------

    @Test
    void writesLeaveOnlyTheTargetAndReplaceIt() throws IOException {
        for (EmbeddingFormat f : List.of(EmbeddingFormat.DIFFUSERS_SAFETENSORS, EmbeddingFormat.A1111_PT)) {
            Path file = dir.resolve("e-" + f);
            EmbeddingFiles.write(JOE, f, file);
            EmbeddingFiles.write(JOE.withToken("second"), f, file);
            assertEquals("second", EmbeddingFiles.read(file).token());
        }
        assertEquals(List.of("e-A1111_PT", "e-DIFFUSERS_SAFETENSORS"), listing(), "no temporary files");
    }

    @Test
    void unwritableFormatsAreRefusedBeforeAnyFileIsMade() {
        for (EmbeddingFormat f : EmbeddingFormat.values()) {
            if (f.writable()) continue;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddingFiles.write(JOE, f, dir.resolve("x")));
            assertTrue(e.getMessage().startsWith("sdti does not write " + f.description()), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> EmbeddingFiles.write(JOE.withToken("__metadata__"),
                EmbeddingFormat.DIFFUSERS_SAFETENSORS, dir.resolve("y")));
        assertTrue(dir.toFile().list().length == 0);
    }

    @Test
    void failedWriteKeepsThePreviousFileAndLeavesNoTemporary() throws IOException {
        BreakingFileSystem fs = new BreakingFileSystem();
        fs.initialize(NonLocalFileSystem.NAME, new Configuration(false));
        for (EmbeddingFormat f : List.of(EmbeddingFormat.DIFFUSERS_SAFETENSORS, EmbeddingFormat.A1111_PT)) {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve("e-" + f).toString());
            EmbeddingFiles.write(JOE, f, fs, p);
            byte[] before = Files.readAllBytes(dir.resolve("e-" + f));

            fs.breakAfter = 1000;
            IOException e = assertThrows(IOException.class,
                    () -> EmbeddingFiles.write(JOE.withToken("other"), f, fs, p));
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
            fs.breakAfter = -1;
            assertArrayEquals(before, Files.readAllBytes(dir.resolve("e-" + f)));
        }
        assertEquals(List.of("e-A1111_PT", "e-DIFFUSERS_SAFETENSORS"), listing(), "no temporary files");
    }

    @Test
    void directoryTargetsAndMissingParentsAreHandled() throws IOException {
        Files.createDirectory(dir.resolve("d.pt"));
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> EmbeddingFiles.write(JOE, EmbeddingFormat.A1111_PT, dir.resolve("d.pt")));
        assertEquals(dir.resolve("d.pt") + ": is a directory", e.getMessage());
        Path nested = dir.resolve("out/step-500/joe-bruin.pt");
        EmbeddingFiles.write(JOE, EmbeddingFormat.A1111_PT, nested);
        assertEquals(JOE.withMetadata(JOE.metadata().withFormat(EmbeddingFormat.A1111_PT)), EmbeddingFiles.read(nested));
    }

    /** Output streams that fail with "disk full" after {@code breakAfter} bytes (never when negative). */
    static final class BreakingFileSystem extends NonLocalFileSystem {
        volatile int breakAfter = -1;

        @Override
        public org.apache.hadoop.fs.FSDataOutputStream create(org.apache.hadoop.fs.Path f, boolean overwrite,
                int bufferSize, short replication, long blockSize, org.apache.hadoop.util.Progressable progress)
                throws IOException {
            org.apache.hadoop.fs.FSDataOutputStream out =
                    super.create(f, overwrite, bufferSize, replication, blockSize, progress);
            int limit = breakAfter;
            if (limit < 0) return out;
            return new org.apache.hadoop.fs.FSDataOutputStream(new java.io.FilterOutputStream(out) {
                private int written;

                @Override
                public void write(int b) throws IOException {
                    if (++written > limit) throw new IOException("disk full");
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    for (int i = 0; i < len; i++) write(b[off + i]);
                }
            }, null);
        }
    }

    @Test
    void writesAndReadsThroughHadoopFileSystemsAndUris() throws IOException {
        Configuration conf = new Configuration(false);
        conf.set("fs.nonlocal.impl", NonLocalFileSystem.class.getName());
        conf.setBoolean("fs.nonlocal.impl.disable.cache", true);
        List<String> written = new ArrayList<>();
        for (EmbeddingFormat f : List.of(EmbeddingFormat.DIFFUSERS_SAFETENSORS, EmbeddingFormat.A1111_PT)) {
            String remote = "nonlocal://" + dir.resolve("remote-" + f);
            EmbeddingFiles.write(JOE, f, remote, conf);
            assertEquals(JOE.vectors().length, EmbeddingFiles.read(remote, conf).count());
            assertBitExact(JOE.vectors(), EmbeddingFiles.read(remote, conf).vectors());
            written.add("remote-" + f);

            FileSystem local = FileSystem.getLocal(conf);
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve("local-" + f).toUri());
            EmbeddingFiles.write(JOE, f, local, p);
            assertEquals("joe-bruin", EmbeddingFiles.read(local, p).token());
            written.add("local-" + f);

            for (String prefix : List.of("file:", "")) {
                String uri = prefix + dir.resolve("uri" + prefix.length() + "-" + f);
                EmbeddingFiles.write(JOE, f, uri, conf);
                assertBitExact(JOE.vectors(), EmbeddingFiles.read(uri, conf).vectors());
                written.add("uri" + prefix.length() + "-" + f);
            }
        }
        assertEquals(written.stream().sorted().toList(),
                listing().stream().filter(n -> !n.endsWith(".crc")).toList(), "no temporary files");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private Path write(byte[] bytes, String name) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static Map<String, byte[]> entries(Path zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    /** GLOBAL arguments in order of first use ("module name"). */
    private static List<String> globals(byte[] pkl) {
        List<String> out = new ArrayList<>();
        String text = new String(pkl, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = Pattern.compile("c([A-Za-z0-9_.]+)\n([A-Za-z0-9_]+)\n").matcher(text);
        while (m.find()) out.add(m.group(1) + " " + m.group(2));
        return out.stream().distinct().sorted().toList();
    }

    /** The opcodes of a pickle, walked with their argument lengths (only the ones our files use). */
    private static List<Integer> opcodes(byte[] pkl) {
        List<Integer> ops = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(pkl).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (i < pkl.length) {
            int op = pkl[i] & 0xff;
            if (!ops.contains(op)) ops.add(op);
            i += 1 + switch (op) {
                case 0x80, 'q', 'h', 'K' -> 1;
                case 'M' -> 2;
                case 'J', 'r', 'j' -> 4;
                case 'X' -> 4 + b.getInt(i + 1);
                case 'c' -> {
                    int end = i + 1;
                    for (int lines = 0; lines < 2; end++) if (pkl[end] == '\n') lines++;
                    yield end - i - 1;
                }
                case 0x8a -> 1 + (pkl[i + 1] & 0xff);
                default -> 0;
            };
        }
        return ops;
    }
}
