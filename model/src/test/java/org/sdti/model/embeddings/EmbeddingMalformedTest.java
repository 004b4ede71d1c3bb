package org.sdti.model.embeddings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sdti.model.io.DType;
import org.sdti.model.io.SafeTensorsWriter;

/** Bad files fail with an EmbeddingFileException that starts with the file and names the problem. */
class EmbeddingMalformedTest {
    @TempDir
    Path dir;

    private static final String ALLOWED = "(allowed: __builtin__.set, builtins.set, collections.OrderedDict, "
            + "torch.BFloat16Storage, torch.DoubleStorage, torch.FloatStorage, torch.HalfStorage, "
            + "torch.LongStorage, torch._utils._rebuild_parameter, torch._utils._rebuild_tensor_v2, "
            + "torch.nn.modules.container.ParameterDict)";

    private interface Bytes {
        byte[] make() throws IOException;
    }

    private static Arguments bad(String name, Bytes bytes, String problem) {
        return Arguments.of(name, bytes, problem);
    }

    /** A dict {key: tensor} in an archive with the given storage. */
    private static PickleBytes oneTensor(String key, String type, int numel, int offset, int[] size, int[] stride) {
        return PickleBytes.proto2().op('}').str(key).tensor(type, "0", numel, offset, size, stride).op('s');
    }

    static Stream<Arguments> damaged() {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        random[0] = 0x13;
        return Stream.of(
                bad("random bytes", () -> random, "neither a safetensors file nor a torch zip archive "
                        + "(starts with 13 " + String.format("%02x %02x", random[1], random[2])),
                bad("text", () -> "hello world\n".getBytes(StandardCharsets.UTF_8),
                        "neither a safetensors file nor a torch zip archive (starts with 68 65 6c 6c 6f 20 77 6f)"),
                bad("empty", () -> new byte[0], "the file is empty"),
                bad("bare pickle (torch < 1.6)", () -> PickleBytes.proto2().op('}').stop(),
                        "a bare pickle (torch's format before 1.6); only torch's zip format is supported"),
                bad("PNG", () -> new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0},
                        "an image; embeddings hidden in images (A1111 PNG/WebP) are not supported"),

                // zip containers
                bad("zip without data.pkl", () -> zip("archive/notes.txt", "archive/version"),
                        "a zip archive without <folder>/data.pkl, so not a torch file "
                                + "(entries: archive/notes.txt, archive/version)"),
                bad("data.pkl outside a folder", () -> zip("data.pkl"),
                        "a zip archive without <folder>/data.pkl, so not a torch file (entries: data.pkl)"),
                bad("two data.pkl", () -> zip("a/data.pkl", "b/data.pkl"),
                        "a zip archive with 2 data.pkl entries (a, b); a torch file has one"),
                bad("cut short", () -> Arrays.copyOf(sample("a1111_joe-bruin.pt"), 5000),
                        "not a readable zip archive ("),
                bad("damaged storage", () -> {
                    byte[] b = sample("a1111_joe-bruin.pt");
                    b[1000] ^= 1;
                    return b;
                }, "entry a1111_joe-bruin/data/0 is damaged (CRC mismatch)"),
                bad("entry past the end", () -> localHeaderAt(sample("a1111_joe-bruin.pt"), 0, -10),
                        "entry a1111_joe-bruin/data.pkl lies past the end of the file (cut short or damaged)"),

                // forbidden globals and opcodes: refused where they appear, nothing is called
                bad("os.system", () -> PickleBytes.proto2().global("os", "system").str("true").op(0x85, 'R')
                        .archive("archive"), "data.pkl byte 2: global os.system is not allowed in an embedding "
                        + "file " + ALLOWED),
                bad("builtins.eval by STACK_GLOBAL", () -> PickleBytes.proto2().op(0x8c, 8)
                        .op("builtins".getBytes(StandardCharsets.US_ASCII)).op(0x8c, 4)
                        .op("eval".getBytes(StandardCharsets.US_ASCII)).op(0x93).archive("archive"),
                        "data.pkl byte 18: global builtins.eval is not allowed"),
                bad("INST (imports and calls in one opcode)", () -> PickleBytes.proto2().op('(')
                        .op("ios\nsystem\n".getBytes(StandardCharsets.US_ASCII)).archive("archive"),
                        "data.pkl byte 3: unsupported pickle opcode 0x69 ('i')"),
                bad("EXT1", () -> PickleBytes.proto2().op(0x82, 1).archive("archive"),
                        "data.pkl byte 2: unsupported pickle opcode 0x82"),
                bad("REDUCE of a string", () -> PickleBytes.proto2().str("os").op(')', 'R').archive("archive"),
                        "data.pkl byte 10: REDUCE of a str, which is not a global"),
                bad("allowed global that is not callable", () -> PickleBytes.proto2().global("torch", "FloatStorage")
                        .op(')', 'R').archive("archive"), "torch.FloatStorage cannot be called"),
                bad("NEWOBJ of OrderedDict", () -> PickleBytes.proto2().global("collections", "OrderedDict")
                        .op(')', 0x81).archive("archive"), "cannot create a collections.OrderedDict object"),

                // broken pickles
                bad("no STOP", () -> zipWith(PickleBytes.proto2().op('}').stop(), 1),
                        "data.pkl byte 3: the pickle ends without a STOP opcode"),
                bad("ends inside an opcode", () -> zipWith(PickleBytes.proto2().op('X', 9, 0, 0, 0, 'a').stop(), 0),
                        "data.pkl byte 2: length 9 runs past the end of the pickle"),
                bad("unknown memo", () -> PickleBytes.proto2().op('h', 5).archive("archive"),
                        "data.pkl byte 2: memo entry 5 was never stored"),
                bad("stack underflow", () -> PickleBytes.proto2().op('}', 's').archive("archive"),
                        "data.pkl byte 3: stack underflow"),
                bad("pop through a mark", () -> PickleBytes.proto2().op('}', '(', 'N', 's').archive("archive"),
                        "data.pkl byte 5: stack underflow"),
                bad("invalid UTF-8", () -> PickleBytes.proto2().op('X', 1, 0, 0, 0, 0xff).archive("archive"),
                        "data.pkl byte 2: a string is not valid UTF-8"),
                bad("unhashable key", () -> PickleBytes.proto2().op('}', ']', 'N', 's').archive("archive"),
                        "data.pkl byte 5: unhashable dict key of type list"),
                bad("protocol 6", () -> PickleBytes.proto2().op(0x80, 6).archive("archive"),
                        "data.pkl byte 2: pickle protocol 6 is not supported"),

                // torch values
                bad("not a storage reference", () -> PickleBytes.proto2().str("file").op(0x85, 'Q')
                        .archive("archive"), "persistent id ('file',) is not a torch storage reference"),
                bad("missing storage entry", () -> oneTensor("<t>", "FloatStorage", 2, 0, new int[] {2},
                        new int[] {1}).archive("archive"), "storage '0' has no data/0 entry in the archive"),
                bad("storage too short", () -> oneTensor("<t>", "FloatStorage", 2, 0, new int[] {2},
                        new int[] {1}).archive("archive", Samples.f32(1)),
                        "storage '0' has 4 bytes, too few for 2 F32 elements"),
                bad("tensor past its storage", () -> oneTensor("<t>", "FloatStorage", 2, 1, new int[] {2},
                        new int[] {1}).archive("archive", Samples.f32(1, 2)),
                        "tensor of size [2] at offset 1 runs past the end of storage '0' (2 elements)"),
                bad("non-contiguous (transposed)", () -> oneTensor("<t>", "FloatStorage", 6, 0, new int[] {2, 3},
                        new int[] {1, 2}).archive("archive", Samples.f32(1, 2, 3, 4, 5, 6)),
                        "tensor of size [2, 3] has stride [1, 2], which is not contiguous (expected row-major "
                                + "strides); only contiguous tensors are supported"),
                bad("integer tensor", () -> oneTensor("<t>", "LongStorage", 2, 0, new int[] {2}, new int[] {1})
                        .archive("archive", new byte[16]), "tensor <t> is I64, not a floating-point tensor"),
                bad("three dimensions", () -> oneTensor("<t>", "FloatStorage", 4, 0, new int[] {1, 2, 2},
                        new int[] {4, 2, 1}).archive("archive", Samples.f32(1, 2, 3, 4)),
                        "tensor '<t>' has shape [1, 2, 2]; an embedding is [width] or [vectors, width]"),
                bad("zero width", () -> oneTensor("<t>", "FloatStorage", 0, 0, new int[] {1, 0},
                        new int[] {0, 1}).archive("archive", new byte[0]),
                        "tensor '<t>' has shape [1, 0]; an embedding is [width] or [vectors, width]"),

                // layouts
                bad("no string_to_param", () -> PickleBytes.proto2().op('}', '(').str("name").str("x").str("step")
                        .op('K', 3, 'u').archive("archive"),
                        "has no 'string_to_param' and is not a dict of one tensor (keys: 'name', 'step')"),
                bad("string_to_param is a string", () -> PickleBytes.proto2().op('}').str("string_to_param")
                        .str("*").op('s').archive("archive"), "'string_to_param' is a str, not a dict of tensors"),
                bad("string_to_param with two tensors", () -> PickleBytes.proto2().op('}').str("string_to_param")
                        .op('}', '(').str("*").tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1})
                        .str("#").tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1}).op('u', 's')
                        .archive("archive", Samples.f32(1, 2)),
                        "'string_to_param' must hold exactly one tensor, but holds '*', '#' -> torch.Tensor, "
                                + "torch.Tensor"),
                bad("empty string_to_param", () -> PickleBytes.proto2().op('}').str("string_to_param").op('}', 's')
                        .archive("archive"), "'string_to_param' must hold exactly one tensor, but holds nothing"),
                bad("a list, not a dict", () -> PickleBytes.proto2().op(']').archive("archive"),
                        "data.pkl holds a list, not a dict"),
                bad("SDXL pickle", () -> PickleBytes.proto2().op('}', '(').str("clip_l")
                        .tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1}).str("clip_g")
                        .tensor("FloatStorage", "0", 2, 0, new int[] {2}, new int[] {1}).op('u')
                        .archive("archive", Samples.f32(1, 2)),
                        "an SDXL embedding (clip_l and clip_g), not one for SD 2.x"),

                // safetensors
                bad("several tensors", () -> safetensors(new SafeTensorsWriter()
                        .addFloats("a", new long[] {2}, new float[2]).addFloats("b", new long[] {2}, new float[2])),
                        "holds 2 tensors (a, b); an embedding file holds exactly one"),
                bad("no tensors", () -> safetensors(new SafeTensorsWriter().metadata("format", "pt")),
                        "holds 0 tensors; an embedding file holds exactly one"),
                bad("SDXL safetensors", () -> safetensors(new SafeTensorsWriter()
                        .addFloats("clip_l", new long[] {1, 768}, new float[768])
                        .addFloats("clip_g", new long[] {1, 1280}, new float[1280])),
                        "an SDXL embedding (clip_l and clip_g), not one for SD 2.x"),
                bad("integer safetensors", () -> safetensors(new SafeTensorsWriter()
                        .addLongs("<t>", DType.I64, new long[] {1, 2}, new long[] {1, 2})),
                        "tensor '<t>' is I64, not a floating-point tensor"),
                bad("scalar safetensors", () -> safetensors(new SafeTensorsWriter()
                        .addFloats("<t>", new long[] {}, new float[] {1})),
                        "tensor '<t>' has shape []; an embedding is [width] or [vectors, width]"),
                bad("damaged safetensors header", () -> {
                    byte[] b = sample("diffusers_learned_embeds.safetensors");
                    return Arrays.copyOf(b, b.length - 4);
                }, "tensor '<cat-toy>': data_offsets [0,4096] run past the end of the data"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void failsNamingFileAndProblem(String name, Bytes bytes, String problem) throws IOException {
        Path file = Files.write(dir.resolve("bad.pt"), bytes.make());
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> EmbeddingFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), () -> "expected '" + problem + "' in: " + e.getMessage());
    }

    @Test
    void aPickleCallingOsSystemRunsNothing() throws IOException {
        Path marker = dir.resolve("pwned");
        for (String[] global : new String[][] {{"os", "system"}, {"posix", "system"}, {"subprocess", "call"}}) {
            byte[] evil = PickleBytes.proto2().global(global[0], global[1]).str("touch " + marker)
                    .op(0x85, 'R').archive("archive");
            Path file = Files.write(dir.resolve("evil.pt"), evil);
            EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> EmbeddingFiles.read(file));
            assertTrue(e.getMessage().contains("global " + global[0] + "." + global[1] + " is not allowed"),
                    e.getMessage());
        }
        assertFalse(Files.exists(marker));
    }

    @Test
    void hugeFilesAreRefusedBeforeReading() throws IOException {
        Path file = dir.resolve("v2-1_768-ema-pruned.ckpt");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(EmbeddingFiles.MAX_FILE_BYTES + 1); // sparse
        }
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> EmbeddingFiles.read(file));
        assertEquals(file + ": is " + (EmbeddingFiles.MAX_FILE_BYTES + 1)
                + " bytes, far more than an embedding (the cap is " + EmbeddingFiles.MAX_FILE_BYTES
                + " bytes; a model checkpoint?)", e.getMessage());
    }

    @Test
    void missingFileIsAnIOException() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> EmbeddingFiles.read(dir.resolve("none.pt")));
    }

    // ---- builders ----------------------------------------------------------------------------------------------

    private static byte[] sample(String name) {
        try {
            return Files.readAllBytes(Samples.path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The zip with the central directory's {@code entry}-th record pointing its local header {@code fromEnd} bytes
     * from the end of the file (as the slow fuzz suite's damaged torch files did).
     */
    private static byte[] localHeaderAt(byte[] zip, int entry, int fromEnd) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(zip).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int seen = 0;
        for (int at = 0; at + 46 <= zip.length; at++) {
            if (b.getInt(at) == 0x02014b50 && seen++ == entry) { // central directory file header
                b.putInt(at + 42, zip.length + fromEnd);
                return zip;
            }
        }
        throw new IllegalArgumentException("no central directory record " + entry);
    }

    /** A zip of empty entries with these names. */
    private static byte[] zip(String... names) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String n : names) {
                zip.putNextEntry(new ZipEntry(n));
                zip.write(PickleBytes.proto2().op('}').stop());
            }
        }
        return bytes.toByteArray();
    }

    /** A torch archive whose data.pkl is {@code pickle} without its last {@code cut} bytes. */
    private static byte[] zipWith(byte[] pickle, int cut) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TorchZipWriter("archive").add("data.pkl", Arrays.copyOf(pickle, pickle.length - cut))
                .add("version", "3\n".getBytes(StandardCharsets.US_ASCII)).writeTo(bytes);
        return bytes.toByteArray();
    }

    private static byte[] safetensors(SafeTensorsWriter w) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        w.writeTo(bytes);
        return bytes.toByteArray();
    }
}
