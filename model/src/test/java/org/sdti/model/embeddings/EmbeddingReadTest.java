package org.sdti.model.embeddings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sdti.model.io.DType;
import org.sdti.model.io.NonLocalFileSystem;
import org.sdti.model.io.SafeTensorsWriter;
import org.sdti.model.testing.TestData;

/** Reading: token rules, width checks, detection by content, other dtypes and byte orders, remote files. */
class EmbeddingReadTest {
    @TempDir
    Path dir;

    @Test
    void tinyGoldenIsOneVectorOf16() throws IOException {
        Path golden = TestData.goldens("learned_embeds.safetensors");
        LearnedEmbedding e = EmbeddingFiles.read(golden);
        assertEquals("<joe-bruin>", e.token());
        assertEquals(1, e.count());
        assertEquals(16, e.width());
        byte[] bytes = Files.readAllBytes(golden);
        ByteBuffer data = ByteBuffer.wrap(bytes, bytes.length - 64, 64).order(ByteOrder.LITTLE_ENDIAN);
        float[] raw = new float[16];
        data.asFloatBuffer().get(raw);
        assertArrayEquals(raw, e.vector(0));
        assertEquals(e, EmbeddingFiles.read(golden, ReadOptions.DEFAULTS.withExpectedWidth(16)));
    }

    @Test
    void oneDimensionalDiffusersTensorIsOneVector() throws IOException {
        Path file = dir.resolve("learned_embeds.safetensors");
        new SafeTensorsWriter().metadata("format", "pt").addFloats("<s>", new long[] {4}, new float[] {1, 2, 3, 4})
                .write(file);
        LearnedEmbedding e = EmbeddingFiles.read(file);
        assertArrayEquals(new float[][] {{1, 2, 3, 4}}, e.vectors());
        assertEquals(List.of("<s>"), e.tokens());
    }

    @Test
    void callerMayNameTheToken() throws IOException {
        for (String sample : List.of("a1111_joe-bruin.pt", "diffusers_learned_embeds.safetensors",
                "diffusers_learned_embeds_legacy.bin", "kohya_emb_params_fp16.safetensors",
                "ldm_style_parameterdict.pt")) {
            LearnedEmbedding e = EmbeddingFiles.read(Samples.path(sample), ReadOptions.DEFAULTS.withToken("<mine>"));
            assertEquals("<mine>", e.token(), sample);
        }
        assertEquals(List.of("<mine>", "<mine>_1", "<mine>_2"), EmbeddingFiles.read(
                Samples.path("diffusers_learned_embeds_3vec.safetensors"), ReadOptions.DEFAULTS.withToken("<mine>"))
                .tokens());
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.DEFAULTS.withToken(""));
    }

    @Test
    void kohyaPickleIsNamedByItsFile() throws IOException {
        Path file = dir.resolve("my-style.pt");
        PickleBytes.write(file, PickleBytes.proto2().op('}').str("emb_params")
                .tensor("HalfStorage", "0", 4, 0, new int[] {2, 2}, new int[] {2, 1}).op('s')
                .archive("my-style", new byte[] {0, 0x3c, 0, (byte) 0xc0, 0, 0x38, 0x00, (byte) 0x80}));
        LearnedEmbedding e = EmbeddingFiles.read(file);
        assertEquals("my-style", e.token());
        assertEquals(Optional.of(EmbeddingFormat.KOHYA_PT), e.metadata().format());
        assertArrayEquals(new float[][] {{1f, -2f}, {0.5f, -0f}}, e.vectors());
    }

    @Test
    void widthMismatchNamesBothSizes() throws IOException {
        Path file = dir.resolve("foo.pt");
        EmbeddingFiles.write(new LearnedEmbedding("foo", new float[2][768]), EmbeddingFormat.A1111_PT, file);
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class,
                () -> EmbeddingFiles.read(file, ReadOptions.DEFAULTS.withExpectedWidth(1024)));
        assertEquals(file + ": embedding width 768 does not match the text encoder's 1024 (an SD 1.x embedding?)",
                e.getMessage());

        LearnedEmbedding sd2 = EmbeddingFiles.read(Samples.path("a1111_joe-bruin.pt"));
        assertEquals(sd2, sd2.checkWidth(1024, "x"));
        assertEquals("x: embedding width 1024 does not match the text encoder's 768 (an SD 2.x embedding?)",
                assertThrows(EmbeddingFileException.class, () -> sd2.checkWidth(768, "x")).getMessage());
        LearnedEmbedding tiny = new LearnedEmbedding("t", new float[1][16]);
        assertEquals("x: embedding width 16 does not match the text encoder's 1024",
                assertThrows(EmbeddingFileException.class, () -> tiny.checkWidth(1024, "x")).getMessage());
    }

    @Test
    void formatComesFromTheBytesNotTheExtension() throws IOException {
        Path pickle = Files.copy(Samples.path("a1111_joe-bruin.pt"), dir.resolve("joe.safetensors"));
        Path safetensors = Files.copy(Samples.path("diffusers_learned_embeds.safetensors"), dir.resolve("cat.pt"));
        Path noExtension = Files.copy(Samples.path("ldm_style_parameterdict.pt"), dir.resolve("ldm"));
        assertEquals(Optional.of(EmbeddingFormat.A1111_PT), EmbeddingFiles.read(pickle).metadata().format());
        assertEquals(Optional.of(EmbeddingFormat.DIFFUSERS_SAFETENSORS),
                EmbeddingFiles.read(safetensors).metadata().format());
        assertEquals("ldm", EmbeddingFiles.read(noExtension).token());
    }

    @Test
    void otherFloatDtypesBecomeFloat32() throws IOException {
        float[] values = {1.5f, -0.25f, 3f, 0f};
        for (DType dtype : List.of(DType.F64, DType.BF16, DType.F16)) {
            Path file = dir.resolve(dtype + ".safetensors");
            new SafeTensorsWriter().addFloats("<t>", dtype, new long[] {2, 2}, values).write(file);
            assertArrayEquals(new float[][] {{1.5f, -0.25f}, {3f, 0f}}, EmbeddingFiles.read(file).vectors(),
                    dtype.toString());
        }
        Path doubles = dir.resolve("doubles.pt");
        ByteBuffer storage = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(-2);
        PickleBytes.write(doubles, PickleBytes.proto2().op('}').str("<d>")
                .tensor("DoubleStorage", "0", 2, 0, new int[] {2}, new int[] {1}).op('s')
                .archive("archive", storage.array()));
        assertArrayEquals(new float[][] {{0.1f, -2f}}, EmbeddingFiles.read(doubles).vectors());
    }

    @Test
    void bigEndianArchivesAndStorageOffsetsAreHonoured() throws IOException {
        // torch >= 2 records the byte order; a tensor may also start inside its storage
        ByteBuffer be = ByteBuffer.allocate(20).order(ByteOrder.BIG_ENDIAN);
        for (float v : new float[] {9, 1, 2, 3, 4}) be.putFloat(v);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        new TorchZipWriter("be")
                .add("data.pkl", PickleBytes.proto2().op('}').str("<be>")
                        .tensor("FloatStorage", "0", 5, 1, new int[] {2, 2}, new int[] {2, 1}).op('s').stop())
                .add("byteorder", "big".getBytes(StandardCharsets.US_ASCII))
                .add("data/0", be.array())
                .add(".data/serialization_id", "1234".getBytes(StandardCharsets.US_ASCII))
                .add("version", "3\n".getBytes(StandardCharsets.US_ASCII))
                .writeTo(zip);
        Path file = PickleBytes.write(dir.resolve("be.pt"), zip.toByteArray());
        assertArrayEquals(new float[][] {{1, 2}, {3, 4}}, EmbeddingFiles.read(file).vectors());
    }

    @Test
    void deflatedEntriesAndAnyFolderNameAreRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("some folder/data.pkl"));
            zip.write(PickleBytes.proto2().op('}').str("<z>")
                    .tensor("FloatStorage", "0", 2, 0, new int[] {1, 2}, new int[] {2, 1}).op('s').stop());
            zip.putNextEntry(new ZipEntry("some folder/data/0"));
            zip.write(Samples.f32(7, 8));
            zip.putNextEntry(new ZipEntry("some folder/version"));
            zip.write('3');
        }
        Path file = PickleBytes.write(dir.resolve("z.bin"), bytes.toByteArray());
        LearnedEmbedding e = EmbeddingFiles.read(file);
        assertEquals("<z>", e.token());
        assertArrayEquals(new float[][] {{7, 8}}, e.vectors());
    }

    @Test
    void sizeOneDimensionsMayHaveAnyStride() throws IOException {
        // torch reports [1, n] with stride (1, 1) as contiguous, and saves it so
        Path file = dir.resolve("s.pt");
        PickleBytes.write(file, PickleBytes.proto2().op('}').str("<s>")
                .tensor("FloatStorage", "0", 3, 0, new int[] {1, 3}, new int[] {1, 1}).op('s')
                .archive("s", Samples.f32(1, 2, 3)));
        assertArrayEquals(new float[][] {{1, 2, 3}}, EmbeddingFiles.read(file).vectors());
    }

    @Test
    void readsFromHadoopFileSystemsAndUris() throws IOException {
        Configuration conf = new Configuration(false);
        conf.set("fs.nonlocal.impl", NonLocalFileSystem.class.getName());
        conf.setBoolean("fs.nonlocal.impl.disable.cache", true);
        for (String sample : List.of("a1111_joe-bruin.pt", "kohya_emb_params_fp16.safetensors",
                "diffusers_learned_embeds_legacy.bin")) {
            LearnedEmbedding local = EmbeddingFiles.read(Samples.path(sample));
            assertEquals(local, EmbeddingFiles.read("nonlocal://" + Samples.path(sample), conf), sample);
            assertEquals(local, EmbeddingFiles.read("file:" + Samples.path(sample), conf), sample);
            assertEquals(local, EmbeddingFiles.read(Samples.path(sample).toString(), conf), sample);
            FileSystem fs = FileSystem.getLocal(conf);
            assertEquals(local, EmbeddingFiles.read(fs, new org.apache.hadoop.fs.Path(Samples.path(sample).toUri())));
        }
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> EmbeddingFiles.read(
                "nonlocal://" + Samples.path("a1111_joe-bruin.pt"), conf, ReadOptions.DEFAULTS.withExpectedWidth(768)));
        assertEquals("nonlocal:" + Samples.path("a1111_joe-bruin.pt")
                + ": embedding width 1024 does not match the text encoder's 768 (an SD 2.x embedding?)", e.getMessage());
    }
}
