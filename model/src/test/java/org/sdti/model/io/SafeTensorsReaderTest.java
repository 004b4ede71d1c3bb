package org.sdti.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sdti.model.io.RawFiles.bytes;
import static org.sdti.model.io.RawFiles.concat;
import static org.sdti.model.io.RawFiles.f32;
import static org.sdti.model.io.RawFiles.f64;
import static org.sdti.model.io.RawFiles.i32;
import static org.sdti.model.io.RawFiles.i64;
import static org.sdti.model.io.RawFiles.u16;
import static org.sdti.model.io.RawFiles.u64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sdti.model.testing.TestData;

class SafeTensorsReaderTest {
    @TempDir
    Path dir;

    /** One hand-built tensor: its header entry and raw bytes. */
    private record Raw(String name, String dtype, String shape, byte[] data) {}

    /**
     * Writes the tensors with header entries in the given order and data in {@code dataOrder}, with no header
     * padding (as the Dec-2022 SD 2.1 files were written).
     */
    private Path handBuilt(List<Raw> headerOrder, List<String> dataOrder, String metadata) throws IOException {
        Map<String, long[]> offsets = new LinkedHashMap<>();
        List<byte[]> data = new ArrayList<>();
        long at = 0;
        for (String name : dataOrder) {
            Raw r = headerOrder.stream().filter(x -> x.name.equals(name)).findFirst().orElseThrow();
            offsets.put(name, new long[] {at, at + r.data.length});
            data.add(r.data);
            at += r.data.length;
        }
        StringBuilder h = new StringBuilder("{");
        if (metadata != null) {
            h.append("\"__metadata__\":").append(metadata).append(',');
        }
        for (Raw r : headerOrder) {
            long[] o = offsets.get(r.name);
            h.append('"').append(r.name).append("\":{\"dtype\":\"").append(r.dtype).append("\",\"shape\":")
                    .append(r.shape).append(",\"data_offsets\":[").append(o[0]).append(',').append(o[1]).append("]},");
        }
        h.setCharAt(h.length() - 1, '}');
        if (h.length() % 8 == 0) {
            h.append(' ');
        }
        return RawFiles.write(dir, "hand.safetensors", RawFiles.file(h.toString(), concat(data.toArray(byte[][]::new))));
    }

    private final List<Raw> everyDtype = List.of(
            new Raw("text.weight", "F32", "[2,2]", f32(1.5f, -0f, Float.POSITIVE_INFINITY, Float.NaN)),
            new Raw("position_ids", "I64", "[1,3]", i64(0, -1, Long.MAX_VALUE)),
            new Raw("half", "F16", "[3]", u16(0x3C00, 0x0001, 0xFC00)),
            new Raw("flag", "BOOL", "[2]", bytes(1, 0)),
            new Raw("bf", "BF16", "[2]", u16(0x3F80, 0xC049)),
            new Raw("u", "U8", "[2]", bytes(200, 7)),
            new Raw("i8", "I8", "[2]", bytes(-128, 127)),
            new Raw("i16", "I16", "[2]", u16(-32768, 1234)),
            new Raw("i32", "I32", "[2]", i32(Integer.MIN_VALUE, 42)),
            new Raw("f64", "F64", "[2]", f64(1e300, 0.1)),
            new Raw("scalar", "F32", "[]", f32(7)),
            new Raw("empty", "F16", "[2,0,3]", new byte[0]));

    @Test
    void unalignedHeaderAndTensorsStoredOutOfOrderWithMixedDtypes() throws IOException {
        // data order differs from both header order and name order; the I64 lands on an odd file offset
        Path file = handBuilt(everyDtype, List.of("half", "text.weight", "flag", "position_ids", "empty", "scalar",
                "f64", "u", "i8", "bf", "i16", "i32"), "{\"format\":\"pt\"}");
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            long headerLen = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertNotEquals(0, headerLen % 8, "precondition: header not 8-byte aligned");
            assertNotEquals(0, (8 + headerLen + f.info("position_ids").begin()) % 8, "precondition: I64 unaligned");

            assertEquals(everyDtype.stream().map(Raw::name).toList(), f.names(), "names in header order");
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertDecodesEveryDtype(f);
        }
    }

    static void assertDecodesEveryDtype(SafeTensorsFile f) throws IOException {
        assertArrayEquals(new float[] {1.5f, -0f, Float.POSITIVE_INFINITY, Float.NaN}, f.floats("text.weight"));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f.floats("text.weight")[1]));
        assertArrayEquals(new long[] {0, -1, Long.MAX_VALUE}, f.longs("position_ids"));
        assertArrayEquals(new float[] {0, -1, (float) Long.MAX_VALUE}, f.floats("position_ids"));
        assertArrayEquals(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY}, f.floats("half"));
        assertArrayEquals(new float[] {1, 0}, f.floats("flag"));
        assertArrayEquals(new long[] {1, 0}, f.longs("flag"));
        assertArrayEquals(new float[] {1f, -3.140625f}, f.floats("bf"));
        assertArrayEquals(new float[] {200, 7}, f.floats("u"));
        assertArrayEquals(new long[] {200, 7}, f.longs("u"));
        assertArrayEquals(new long[] {-128, 127}, f.longs("i8"));
        assertArrayEquals(new long[] {-32768, 1234}, f.longs("i16"));
        assertArrayEquals(new long[] {Integer.MIN_VALUE, 42}, f.longs("i32"));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0.1f}, f.floats("f64"));
        assertArrayEquals(new float[] {7}, f.floats("scalar"));
        assertEquals(0, f.info("scalar").rank());
        assertEquals(1, f.info("scalar").numel());
        assertArrayEquals(new float[0], f.floats("empty"));
        assertArrayEquals(new long[] {2, 0, 3}, f.info("empty").shape());
        assertEquals(DType.F16, f.info("empty").dtype());
    }

    @Test
    void zeroSizeTensorsMayShareAnOffsetAndSitAtTheEnd() throws IOException {
        Path file = RawFiles.write(dir, "zeros.safetensors", RawFiles.file("{"
                + "\"z1\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"z2\":{\"dtype\":\"I64\",\"shape\":[0,5],\"data_offsets\":[4,4]},"
                + "\"z3\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,4]}}", f32(3)));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(List.of("z1", "a", "z2", "z3"), f.names());
            assertArrayEquals(new float[] {3}, f.floats("a"));
            assertArrayEquals(new long[0], f.longs("z2"));
            assertEquals(0, f.bytes("z3").remaining());
        }
    }

    @Test
    void headerOnlyFileHasNoTensors() throws IOException {
        Path file = RawFiles.write(dir, "none.safetensors", RawFiles.file("{\"__metadata__\":null}", new byte[0]));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertTrue(f.names().isEmpty());
            assertTrue(f.metadata().isEmpty());
        }
    }

    // ---- reference samples -------------------------------------------------------------------------------------

    static Stream<String> tiSamples() throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(TestData.path("reference/sd2/ti_samples/manifest.json").toFile());
        List<String> names = new ArrayList<>();
        manifest.fieldNames().forEachRemaining(n -> {
            if (n.endsWith(".safetensors")) names.add(n);
        });
        assertEquals(3, names.size(), "the manifest lists three safetensors samples");
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("tiSamples")
    void tiSampleMatchesManifest(String name) throws Exception {
        JsonNode m = new ObjectMapper().readTree(TestData.path("reference/sd2/ti_samples/manifest.json").toFile()).get(name);
        Path file = TestData.path("reference/sd2/ti_samples/" + name);
        byte[] content = Files.readAllBytes(file);
        assertEquals(m.get("sha256").asText(), sha256(content), "sample is the one the manifest describes");
        assertEquals(m.get("size").asLong(), content.length);
        assertEquals(m.get("header_len").asLong(),
                ByteBuffer.wrap(content, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());

        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            JsonNode header = m.get("header");
            Map<String, String> meta = new LinkedHashMap<>();
            header.get("__metadata__").fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
            assertEquals(meta, f.metadata());
            assertEquals(List.copyOf(meta.keySet()), List.copyOf(f.metadata().keySet()), "metadata in file order");

            String key = m.get("tensor_key").asText();
            assertEquals(List.of(key), f.names());
            TensorInfo t = f.info(key);
            JsonNode h = header.get(key);
            assertEquals(h.get("dtype").asText(), t.dtype().name());
            assertEquals(m.get("dtype").asText(), switch (t.dtype()) {
                case F32 -> "torch.float32";
                case F16 -> "torch.float16";
                default -> t.dtype().name();
            });
            assertArrayEquals(longs(m.get("shape")), t.shape());
            assertArrayEquals(longs(h.get("shape")), t.shape());
            assertArrayEquals(longs(h.get("data_offsets")), new long[] {t.begin(), t.end()});

            float[] v = f.floats(key);
            JsonNode first = m.get("first_values");
            for (int i = 0; i < first.size(); i++) {
                assertEquals(first.get(i).asDouble(), v[i], 0.0, "first value " + i);
            }
            double sum = 0;
            for (float x : v) sum += x;
            assertEquals(m.get("sum").asDouble(), sum, 1e-9);

            // every element, against the generating formula (exactly representable in f16 and f32)
            int dim = (int) t.shape()[1];
            for (int i = 0; i < v.length; i++) {
                int r = i / dim;
                int c = i % dim;
                assertEquals((((r * dim + c) % 97) - 48) / 64f, v[i], 0f, "element " + i);
            }
        }
    }

    @Test
    void kohyaHalfSampleConvertsToFloat32() throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(TestData.path("reference/sd2/ti_samples/kohya_emb_params_fp16.safetensors"))) {
            assertEquals(DType.F16, f.info("emb_params").dtype());
            assertEquals(Map.of("ss_output_name", "joe-bruin", "ss_num_train_images", "8"), f.metadata());
            ByteBuffer raw = f.bytes("emb_params");
            float[] v = f.floats("emb_params");
            assertEquals(2 * 1024, v.length);
            for (int i = 0; i < v.length; i++) {
                assertEquals(DTypes.halfToFloat(raw.getShort(2 * i)), v[i], 0f);
            }
            assertEquals(-0.75f, v[0]);
            assertEquals(0x3A00, raw.getShort(2 * 96) & 0xffff, "v[96] = 48/64 = 0.75 is 0x3A00 in binary16");
            assertEquals(0.75f, v[96]);
        }
    }

    static Stream<Path> fixtureFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(TestData.path("fixtures/tiny-sd2"))) {
            s.filter(p -> p.toString().endsWith(".safetensors")).sorted().forEach(files::add);
        }
        assertTrue(files.size() >= 11, "goldens and model files found: " + files);
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("fixtureFiles")
    void rangedReadsMatchMemoryMappedReads(Path file) throws IOException {
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        try (SafeTensorsFile mapped = SafeTensorsFile.open(file);
                SafeTensorsFile ranged = SafeTensorsFile.open(fs, new org.apache.hadoop.fs.Path(file.toString()))) {
            assertEquals(file.toString(), mapped.source());
            assertEquals("nonlocal:" + file, ranged.source());
            assertEquals(mapped.names(), ranged.names());
            assertEquals(mapped.tensors(), ranged.tensors());
            assertEquals(mapped.metadata(), ranged.metadata());
            for (String name : mapped.names()) {
                assertEquals(mapped.bytes(name), ranged.bytes(name), name);
                assertArrayEquals(mapped.floats(name), ranged.floats(name), name);
            }
        }
    }

    @Test
    void readingOneTensorReadsOnlyTheHeaderAndThatTensor() throws IOException {
        Path file = TestData.tinyModel().resolve("unet/diffusion_pytorch_model.safetensors");
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        try (SafeTensorsFile f = SafeTensorsFile.open(fs, new org.apache.hadoop.fs.Path(file.toString()))) {
            assertTrue(f.names().size() > 100);
            assertEquals(8 + headerLen, fs.bytesRead.get(), "opening reads the length and the header only");
            String name = f.names().get(f.names().size() / 2);
            f.floats(name);
            assertEquals(8 + headerLen + f.info(name).byteLength(), fs.bytesRead.get());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:", "file://", ""})
    void opensFileUrisAndPlainPathsMemoryMapped(String prefix) throws IOException {
        Path file = TestData.path("reference/sd2/ti_samples/diffusers_learned_embeds.safetensors").toAbsolutePath();
        try (SafeTensorsFile f = SafeTensorsFile.open(prefix + file, new Configuration(false))) {
            assertEquals(file.toString(), f.source(), "local files are memory-mapped");
            assertEquals(-0.75f, f.floats("<cat-toy>")[0]);
        }
    }

    @Test
    void opensOtherSchemesThroughTheirHadoopFileSystem() throws IOException {
        Path file = TestData.path("reference/sd2/ti_samples/diffusers_learned_embeds.safetensors").toAbsolutePath();
        Configuration conf = new Configuration(false);
        conf.set("fs.nonlocal.impl", NonLocalFileSystem.class.getName());
        conf.setBoolean("fs.nonlocal.impl.disable.cache", true);
        try (SafeTensorsFile f = SafeTensorsFile.open("nonlocal://" + file, conf)) {
            assertEquals("nonlocal:" + file, f.source());
            assertEquals(-0.75f, f.floats("<cat-toy>")[0]);
        }
    }

    @Test
    void hadoopLocalFileSystemsAreMemoryMapped() throws IOException {
        Path file = TestData.path("reference/sd2/ti_samples/diffusers_learned_embeds.safetensors").toAbsolutePath();
        Configuration conf = new Configuration(false);
        RawLocalFileSystem raw = new RawLocalFileSystem();
        raw.initialize(java.net.URI.create("file:///"), conf);
        for (FileSystem fs : List.of(FileSystem.getLocal(conf), raw)) {
            try (SafeTensorsFile f = SafeTensorsFile.open(fs, new org.apache.hadoop.fs.Path(file.toUri()))) {
                assertEquals(file.toString(), f.source());
                assertEquals(1024, f.floats("<cat-toy>").length);
            }
        }
    }

    @Test
    void filesOver2GiBUseLongOffsets() throws IOException {
        // Sparse file: two 1.5 GiB tensors never written (holes read as zeros), then a small one past 3 GiB.
        long big = 3L << 29;
        String header = "{\"a\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[" + big + "," + 2 * big + "]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + 2 * big + "," + (2 * big + 12) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("sparse.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(concat(u64(h.length), h)));
            ch.write(ByteBuffer.wrap(f32(1, -2, 3)), 8 + h.length + 2 * big);
        }
        assertEquals(8 + h.length + 2 * big + 12, Files.size(file));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertArrayEquals(new float[] {1, -2, 3}, f.floats("c"));
            ByteBuffer b = f.bytes("b");
            assertEquals(big, b.remaining());
            assertEquals(0, b.get(b.limit() - 1));
        }
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        try (SafeTensorsFile f = SafeTensorsFile.open(fs, new org.apache.hadoop.fs.Path(file.toString()))) {
            assertArrayEquals(new float[] {1, -2, 3}, f.floats("c"));
            assertEquals(8 + h.length + 12, fs.bytesRead.get());
        }
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        Iterator<JsonNode> it = array.elements();
        for (int i = 0; it.hasNext(); i++) out[i] = it.next().asLong();
        return out;
    }

    static String sha256(byte[] content) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
