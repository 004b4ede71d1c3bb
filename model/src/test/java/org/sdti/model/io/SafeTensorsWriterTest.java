package org.sdti.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsWriterTest {
    @TempDir
    Path dir;

    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    // ---- round trips -------------------------------------------------------------------------------------------

    @Test
    void everyDtypeRoundTripsWithTheExpectedConversion() throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter()
                .addFloats("f32", new long[] {2, 4}, new float[] {1.5f, -0f, INF, -INF, NAN, Float.MIN_VALUE,
                        Float.MAX_VALUE, 0.1f})
                .addFloats("f64", DType.F64, new long[] {4}, new float[] {0.1f, -0f, Float.MIN_VALUE, NAN})
                .addFloats("f16", DType.F16, new long[] {12}, new float[] {1f, 0.1f, 65504f, 65520f, 0x1p-24f,
                        0x1p-25f, 3 * 0x1p-25f, -0f, NAN, -INF, 1 + 0x1p-11f, 1e-10f})
                .addFloats("bf16", DType.BF16, new long[] {8}, new float[] {1f, 3.1415927f, -2f, 1 + 0x1p-8f,
                        1 + 3 * 0x1p-8f, -0f, NAN, Float.intBitsToFloat(0x00010000)})
                .addLongs("i64", DType.I64, new long[] {4}, new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE})
                .addLongs("i32", DType.I32, new long[] {3}, new long[] {Integer.MIN_VALUE, -7, Integer.MAX_VALUE})
                .addLongs("i16", DType.I16, new long[] {3}, new long[] {-32768, -1, 32767})
                .addLongs("i8", DType.I8, new long[] {3}, new long[] {-128, -1, 127})
                .addLongs("u8", DType.U8, new long[] {4}, new long[] {0, 128, 200, 255})
                .addLongs("bool", DType.BOOL, new long[] {3}, new long[] {1, 0, 1});
        Path file = dir.resolve("all.safetensors");
        w.write(file);

        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertArrayEquals(new float[] {1.5f, -0f, INF, -INF, NAN, Float.MIN_VALUE, Float.MAX_VALUE, 0.1f},
                    f.floats("f32"));
            assertEquals(0.1f, (float) f.bytes("f64").getDouble(0), "float widened exactly to double");
            assertArrayEquals(new float[] {0.1f, -0f, Float.MIN_VALUE, NAN}, f.floats("f64"));
            assertArrayEquals(new float[] {1f, 0.099975586f, 65504f, INF, 0x1p-24f, 0f, 2 * 0x1p-24f, -0f, NAN,
                    -INF, 1f, 0f}, f.floats("f16"));
            assertEquals(0x2E66, f.bytes("f16").getShort(2) & 0xffff);
            assertArrayEquals(new float[] {1f, 3.140625f, -2f, 1f, 1.015625f, -0f, NAN,
                    Float.intBitsToFloat(0x00010000)}, f.floats("bf16"));
            assertEquals(0x4049, f.bytes("bf16").getShort(2) & 0xffff);
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, f.longs("i64"));
            assertArrayEquals(new long[] {Integer.MIN_VALUE, -7, Integer.MAX_VALUE}, f.longs("i32"));
            assertArrayEquals(new long[] {-32768, -1, 32767}, f.longs("i16"));
            assertArrayEquals(new float[] {-128, -1, 127}, f.floats("i8"));
            assertArrayEquals(new float[] {0, 128, 200, 255}, f.floats("u8"));
            assertArrayEquals(new long[] {1, 0, 1}, f.longs("bool"));
            for (DType dt : DType.values()) {
                String name = dt.name().toLowerCase(java.util.Locale.ROOT);
                assertEquals(dt, f.info(name).dtype());
            }
            assertArrayEquals(new long[] {2, 4}, f.info("f32").shape());
        }
    }

    @Test
    void scalarAndZeroSizeShapesRoundTrip() throws IOException {
        Path file = dir.resolve("shapes.safetensors");
        new SafeTensorsWriter()
                .addFloats("scalar", new long[0], new float[] {42})
                .addLongs("step", DType.I64, new long[0], new long[] {500})
                .addFloats("none", DType.F16, new long[] {0}, new float[0])
                .addLongs("hollow", DType.I32, new long[] {3, 0, 2}, new long[0])
                .addBytes("raw-empty", DType.U8, new long[] {0, 7}, new byte[0])
                .addFloats("cube", new long[] {2, 3, 4}, new float[24])
                .write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertArrayEquals(new float[] {42}, f.floats("scalar"));
            assertEquals(0, f.info("scalar").rank());
            assertArrayEquals(new long[] {500}, f.longs("step"));
            assertArrayEquals(new float[0], f.floats("none"));
            assertArrayEquals(new long[] {3, 0, 2}, f.info("hollow").shape());
            assertArrayEquals(new long[0], f.longs("hollow"));
            assertArrayEquals(new long[] {0, 7}, f.info("raw-empty").shape());
            assertEquals(24, f.floats("cube").length);
        }
    }

    @Test
    void rawBytesAndBuffersAreWrittenAsGiven() throws IOException {
        ByteBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        direct.putInt(99).putLong(7).putInt(-3).flip().position(4); // only the long and the int
        byte[] halves = RawFiles.u16(0x3C00, 0xC000);
        Path file = dir.resolve("raw.safetensors");
        new SafeTensorsWriter()
                .addBytes("h", DType.F16, new long[] {2}, halves)
                .addBytes("d", DType.I32, new long[] {3}, direct)
                .write(file);
        assertEquals(4, direct.position(), "the caller's buffer position is untouched");
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertArrayEquals(new float[] {1, -2}, f.floats("h"));
            assertArrayEquals(new long[] {7, 0, -3}, f.longs("d"));
        }
    }

    @Test
    void metadataRoundTripsInInsertionOrder() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("ss_output_name", "joe-bruin");
        meta.put("quoted", "a \"b\" \\ c\nd\te\u0001 é 🐱");
        meta.put("", "");
        Path file = dir.resolve("meta.safetensors");
        new SafeTensorsWriter().metadata(meta).metadata("step", "500").addFloats("x", new long[] {1}, new float[] {1})
                .write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            meta.put("step", "500");
            assertEquals(meta, f.metadata());
            assertEquals(List.copyOf(meta.keySet()), List.copyOf(f.metadata().keySet()));
        }
        String header = header(Files.readAllBytes(file));
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\","), header);
        assertTrue(header.contains("\\\"b\\\" \\\\ c\\nd\\te\\u0001 é 🐱"), "serde_json-style escapes: " + header);
    }

    @Test
    void unusualTensorNamesRoundTrip() throws IOException {
        List<String> names = List.of("<cat-toy>", "with \"quotes\"", "back\\slash", "new\nline", "ctl\u001f",
                "ünïcödé", "🐱", "", "text_model.embeddings.token_embedding.weight");
        SafeTensorsWriter w = new SafeTensorsWriter();
        for (int i = 0; i < names.size(); i++) w.addFloats(names.get(i), new long[] {1}, new float[] {i});
        Path file = dir.resolve("names.safetensors");
        w.write(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            for (int i = 0; i < names.size(); i++) assertArrayEquals(new float[] {i}, f.floats(names.get(i)));
        }
        assertTrue(header(Files.readAllBytes(file)).contains("\"ctl\\u001f\""));
    }

    // ---- layout ------------------------------------------------------------------------------------------------

    private static SafeTensorsWriter mixed(List<Integer> addOrder) {
        List<Runnable> adds = new ArrayList<>();
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        adds.add(() -> w.addFloats("a", new long[] {3}, new float[] {1, 2, 3}));
        adds.add(() -> w.addFloats("b", new long[] {1}, new float[] {4}));
        adds.add(() -> w.addLongs("ids", DType.I64, new long[] {1, 3}, new long[] {0, 1, 2}));
        adds.add(() -> w.addFloats("d", DType.F64, new long[] {1}, new float[] {5}));
        adds.add(() -> w.addLongs("i", DType.I32, new long[] {1}, new long[] {6}));
        adds.add(() -> w.addFloats("bf", DType.BF16, new long[] {3}, new float[] {7, 8, 9}));
        adds.add(() -> w.addFloats("h", DType.F16, new long[] {1}, new float[] {10}));
        adds.add(() -> w.addLongs("s", DType.I16, new long[] {1}, new long[] {11}));
        adds.add(() -> w.addLongs("c", DType.I8, new long[] {1}, new long[] {-12}));
        adds.add(() -> w.addLongs("u", DType.U8, new long[] {3}, new long[] {13, 14, 15}));
        adds.add(() -> w.addLongs("flag", DType.BOOL, new long[] {1}, new long[] {1}));
        for (int i : addOrder) adds.get(i).run();
        return w;
    }

    @Test
    void layoutIsAlignmentThenNameAndIndependentOfAddOrder() throws IOException {
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        byte[] first = bytes(mixed(order));
        Collections.reverse(order);
        assertArrayEquals(first, bytes(mixed(order)), "same bytes whatever the add order");
        Collections.shuffle(order, new java.util.Random(3));
        assertArrayEquals(first, bytes(mixed(order)));

        SafeTensorsWriter w = mixed(order);
        assertEquals(List.of("ids", "d", "a", "b", "i", "bf", "h", "s", "c", "u", "flag"),
                w.layout().stream().map(TensorInfo::name).toList());
        Path file = dir.resolve("mixed.safetensors");
        w.write(file);
        long headerLen = ByteBuffer.wrap(first, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        assertEquals(w.size(), Files.size(file));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(w.layout(), List.copyOf(f.tensors().values()), "header order = data order, no holes");
            long at = 0;
            for (TensorInfo t : f.tensors().values()) {
                assertEquals(at, t.begin(), t.name() + " follows the previous tensor");
                assertEquals(0, (8 + headerLen + t.begin()) % t.dtype().size(), t.name() + " is aligned in the file");
                at = t.end();
            }
            assertArrayEquals(new long[] {0, 1, 2}, f.longs("ids"));
            assertArrayEquals(new float[] {7, 8, 9}, f.floats("bf"));
            assertArrayEquals(new long[] {-12}, f.longs("c"));
        }
    }

    @Test
    void headerIsPaddedWithSpaces() throws IOException {
        for (int len = 1; len <= 9; len++) {
            byte[] file = bytes(new SafeTensorsWriter().addFloats("x".repeat(len), new long[] {1}, new float[] {1}));
            long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8);
            String h = new String(file, 8, (int) n, StandardCharsets.UTF_8);
            assertEquals(h.stripTrailing().length(), h.lastIndexOf('}') + 1, "only spaces after the JSON");
            assertTrue(h.length() - h.stripTrailing().length() < 8);
        }
    }

    /** The byte vectors of the reference implementation's own serialization tests (safetensors/src/tensor.rs). */
    @Test
    void matchesReferenceImplementationTestVectors() throws IOException {
        float[] data = {0, 1, 2, 3, 4, 5};
        byte[] attn = bytes(new SafeTensorsWriter().addFloats("attn.0", new long[] {1, 2, 3}, data));
        assertArrayEquals(RawFiles.concat(RawFiles.u64(64),
                ascii("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"),
                RawFiles.f32(data)), attn);

        byte[] forced = bytes(new SafeTensorsWriter().addFloats("attn0", new long[] {1, 1, 2, 3}, data));
        assertArrayEquals(RawFiles.concat(RawFiles.u64(72),
                ascii("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "),
                RawFiles.f32(data)), forced);

        assertArrayEquals(RawFiles.concat(RawFiles.u64(8), ascii("{}      ")), bytes(new SafeTensorsWriter()));
        assertArrayEquals(RawFiles.concat(RawFiles.u64(40), ascii("{\"__metadata__\":{\"framework\":\"pt\"}}     ")),
                bytes(new SafeTensorsWriter().metadata("framework", "pt")));
    }

    static Stream<Path> referenceFiles() throws IOException {
        return Stream.concat(SafeTensorsReaderTest.fixtureFiles(), Stream.of(
                "diffusers_learned_embeds.safetensors", "diffusers_learned_embeds_3vec.safetensors",
                "kohya_emb_params_fp16.safetensors").map(n -> org.sdti.model.testing.TestData.path(
                        "reference/sd2/ti_samples/" + n)));
    }

    /** Files written by the reference writer come back byte for byte when copied through ours. */
    @ParameterizedTest
    @MethodSource("referenceFiles")
    void copyOfAReferenceFileIsByteIdentical(Path original) throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(original)) {
            SafeTensorsWriter w = new SafeTensorsWriter().metadata(f.metadata());
            for (String name : f.names()) w.copy(f, name);
            assertArrayEquals(Files.readAllBytes(original), bytes(w), original.toString());
        }
    }

    @Test
    void convertsAHalfFileToFloat32() throws IOException {
        Path kohya = org.sdti.model.testing.TestData.path("reference/sd2/ti_samples/kohya_emb_params_fp16.safetensors");
        Path out = dir.resolve("fp32.safetensors");
        try (SafeTensorsFile f = SafeTensorsFile.open(kohya)) {
            TensorInfo t = f.info("emb_params");
            new SafeTensorsWriter().metadata(f.metadata()).addFloats("emb_params", t.shape(), f.floats("emb_params"))
                    .addFloats("back_to_half", DType.F16, t.shape(), f.floats("emb_params")).write(out);
            try (SafeTensorsFile g = SafeTensorsFile.open(out)) {
                assertEquals(DType.F32, g.info("emb_params").dtype());
                assertArrayEquals(f.floats("emb_params"), g.floats("emb_params"));
                assertEquals(f.bytes("emb_params"), g.bytes("back_to_half"), "F16 -> F32 -> F16 is lossless");
            }
        }
    }

    // ---- streaming ---------------------------------------------------------------------------------------------

    /** Records what reaches the sink: total, largest single write, flushes, closes. */
    private static final class Sink extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int largestWrite;
        boolean flushed;
        boolean closed;

        @Override
        public void write(int b) {
            bytes.write(b);
            largestWrite = Math.max(largestWrite, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            largestWrite = Math.max(largestWrite, len);
        }

        @Override
        public void flush() {
            flushed = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void writeToStreamsInChunksFlushesAndLeavesTheStreamOpen() throws IOException {
        float[] big = new float[1 << 20];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f;
        Path src = dir.resolve("src.safetensors");
        new SafeTensorsWriter().addFloats("big", new long[] {1024, 1024}, big).write(src);

        try (SafeTensorsFile f = SafeTensorsFile.open(src)) {
            SafeTensorsWriter w = new SafeTensorsWriter()
                    .addFloats("f32", new long[] {big.length}, big)
                    .addFloats("f16", DType.F16, new long[] {big.length}, big)
                    .addFloats("f64", DType.F64, new long[] {big.length}, big)
                    .copy(f, "big", "mapped");
            Sink sink = new Sink();
            long n = w.writeTo(sink);
            assertEquals(w.size(), n);
            assertEquals(n, sink.bytes.size());
            assertTrue(sink.flushed);
            assertFalse(sink.closed, "the caller's stream stays open");
            assertTrue(sink.largestWrite <= 1 << 16, "no tensor-sized buffers: largest write " + sink.largestWrite);

            Path out = Files.write(dir.resolve("out.safetensors"), sink.bytes.toByteArray());
            try (SafeTensorsFile g = SafeTensorsFile.open(out)) {
                assertArrayEquals(big, g.floats("f32"));
                assertArrayEquals(big, g.floats("f64"));
                assertArrayEquals(f.floats("big"), g.floats("mapped"));
                float[] half = g.floats("f16");
                for (int i = 0; i < big.length; i += 997) {
                    assertEquals(DTypes.halfToFloat(DTypes.floatToHalf(big[i])), half[i]);
                }
            }
        }
    }

    @Test
    void tensorSourceMustWriteExactlyItsByteCount() throws IOException {
        SafeTensorsWriter ok = new SafeTensorsWriter().add("s", DType.F32, new long[] {2},
                out -> {
                    out.write(RawFiles.f32(1));
                    out.write(RawFiles.f32(2)[0]);
                    out.write(RawFiles.f32(2), 1, 3);
                    out.close(); // ignored: the writer owns the stream
                });
        ok.write(dir.resolve("ok.safetensors"));
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("ok.safetensors"))) {
            assertArrayEquals(new float[] {1, 2}, f.floats("s"));
        }

        SafeTensorsWriter few = new SafeTensorsWriter().add("s", DType.F32, new long[] {2}, out -> out.write(new byte[4]));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> few.writeTo(new Sink()));
        assertEquals("output stream: tensor 's': the source wrote 4 bytes, not the 8 its dtype and shape need",
                e.getMessage());

        SafeTensorsWriter many = new SafeTensorsWriter().add("s", DType.F32, new long[] {2}, out -> out.write(new byte[9]));
        e = assertThrows(SafeTensorsException.class, () -> many.writeTo(new Sink()));
        assertEquals("output stream: tensor 's': the source wrote more than the 8 bytes its dtype and shape need",
                e.getMessage());
    }

    @Test
    void headerOverTheReadersLimitIsRefused() {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("huge", "x".repeat(100_000_000));
        Path file = dir.resolve("huge.safetensors");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> w.write(file));
        assertTrue(e.getMessage().startsWith(file + ": header would be 100000032 bytes, over the 100000000-byte limit"),
                e.getMessage());
        assertFalse(Files.exists(file));
    }

    // ---- argument errors ---------------------------------------------------------------------------------------

    @Test
    void badArgumentsAreRejectedWhenAdded() {
        SafeTensorsWriter w = new SafeTensorsWriter().addFloats("taken", new long[] {1}, new float[] {1});
        assertIae("tensor 'x': floats cannot be stored as I32; use addLongs",
                () -> w.addFloats("x", DType.I32, new long[] {1}, new float[] {1}));
        assertIae("tensor 'x': longs cannot be stored as F32; use addFloats",
                () -> w.addLongs("x", DType.F32, new long[] {1}, new long[] {1}));
        assertIae("tensor 'x': value 256 at index 1 does not fit U8",
                () -> w.addLongs("x", DType.U8, new long[] {2}, new long[] {0, 256}));
        assertIae("tensor 'x': value 2 at index 0 does not fit BOOL",
                () -> w.addLongs("x", DType.BOOL, new long[] {1}, new long[] {2}));
        assertIae("tensor 'x': value -129 at index 0 does not fit I8",
                () -> w.addLongs("x", DType.I8, new long[] {1}, new long[] {-129}));
        assertIae("tensor 'x': shape [2, 3] has 6 elements but 5 values were given",
                () -> w.addFloats("x", new long[] {2, 3}, new float[5]));
        assertIae("tensor 'x': shape [-1] has a negative dimension",
                () -> w.addFloats("x", new long[] {-1}, new float[0]));
        assertIae("tensor 'x': shape [4611686018427387904, 4] is too large",
                () -> w.add("x", DType.F32, new long[] {1L << 62, 4}, out -> {}));
        assertIae("tensor 'x': shape [2305843009213693952] is too large",
                () -> w.add("x", DType.F64, new long[] {1L << 61}, out -> {}));
        assertIae("tensor 'x': F32 [2] needs 8 bytes but 7 were given",
                () -> w.addBytes("x", DType.F32, new long[] {2}, new byte[7]));
        assertIae("tensor 'taken' was already added", () -> w.addFloats("taken", new long[] {1}, new float[] {1}));
        assertIae("'__metadata__' is reserved for the metadata and cannot name a tensor",
                () -> w.addFloats("__metadata__", new long[] {1}, new float[] {1}));
        assertIae("tensor name 'bad\ud800' has an unpaired surrogate at index 3",
                () -> w.addFloats("bad\ud800", new long[] {1}, new float[] {1}));
        assertIae("metadata value", () -> w.metadata("k", "\udc00"));
        assertIae("metadata key and value must not be null", () -> w.metadata("k", null));
        assertIae("must not be null", () -> w.add("x", DType.F32, new long[] {1}, null));
        assertEquals(List.of("taken"), w.layout().stream().map(TensorInfo::name).toList(), "nothing half-added");
    }

    @Test
    void copyOfAMissingTensorNamesTheSourceFile() throws IOException {
        Path src = dir.resolve("src.safetensors");
        new SafeTensorsWriter().addFloats("a", new long[] {1}, new float[] {1}).write(src);
        try (SafeTensorsFile f = SafeTensorsFile.open(src)) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> new SafeTensorsWriter().copy(f, "b"));
            assertEquals(src + ": no tensor named 'b'", e.getMessage());
        }
    }

    @Test
    void copyFromAClosedFileFailsNamingBothFiles() throws IOException {
        Path src = dir.resolve("src.safetensors");
        new SafeTensorsWriter().addFloats("a", new long[] {1}, new float[] {1}).write(src);
        SafeTensorsFile f = SafeTensorsFile.open(src);
        SafeTensorsWriter w = new SafeTensorsWriter().copy(f, "a");
        f.close();
        Path out = dir.resolve("out.safetensors");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> w.write(out));
        assertEquals(out + ": tensor 'a': " + src + ": file is closed (reading tensor 'a')", e.getMessage());
    }

    private static void assertIae(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }

    static byte[] bytes(SafeTensorsWriter w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.writeTo(out);
        return out.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String header(byte[] file) {
        int n = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(file, 8, n, StandardCharsets.UTF_8);
    }
}
