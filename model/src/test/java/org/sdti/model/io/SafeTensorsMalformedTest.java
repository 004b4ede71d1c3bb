package org.sdti.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sdti.model.io.RawFiles.bytes;
import static org.sdti.model.io.RawFiles.concat;
import static org.sdti.model.io.RawFiles.f32;
import static org.sdti.model.io.RawFiles.file;
import static org.sdti.model.io.RawFiles.u64;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Damaged files fail on open with a message that starts with the file and names the problem. */
class SafeTensorsMalformedTest {
    @TempDir
    Path dir;

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    static Stream<Arguments> damaged() {
        byte[] valid = file("{" + A + "}", f32(1, 2));
        return Stream.of(
                bad("empty file", new byte[0], "file is 0 bytes, shorter than the 8-byte header length"),
                bad("shorter than the length field", bytes(4, 0, 0), "file is 3 bytes"),
                bad("header over 100 MB", concat(u64(100_000_001L), new byte[16]),
                        "header length 100000001 exceeds the 100000000-byte limit"),
                bad("length negative as a signed long", concat(u64(-1L), new byte[16]),
                        "header length 18446744073709551615 exceeds the 100000000-byte limit"),
                bad("length 2^63", concat(u64(Long.MIN_VALUE), new byte[16]),
                        "header length 9223372036854775808 exceeds"),
                bad("header length past the end", concat(u64(64), "{}".getBytes(StandardCharsets.UTF_8)),
                        "header length 64 runs past the end of the file (10 bytes)"),
                bad("truncated inside the data", Arrays.copyOf(valid, valid.length - 3),
                        "tensor 'a': data_offsets [0,8] run past the end of the data (5 bytes; the file is truncated"),
                bad("bad JSON", file("{\"a\":", new byte[0]), "header is not valid JSON"),
                bad("trailing tokens after the object", file("{} {}", new byte[0]), "header is not valid JSON"),
                bad("NUL padding", file("{}\0\0", new byte[0]), "header is not valid JSON"),
                bad("empty header", file("", new byte[0]), "header is not a JSON object"),
                bad("JSON array", file("[1,2]", new byte[0]), "header is not a JSON object"),
                bad("invalid UTF-8", concat(u64(5), bytes('{', '"', 0xff, '"', '}')), "header is not valid UTF-8"),
                bad("duplicate tensor key", file("{" + A + "," + A + "}", f32(1, 2)),
                        "header has a duplicate key", "'a'"),
                bad("duplicate __metadata__", file("{\"__metadata__\":{},\"__metadata__\":{}," + A + "}", f32(1, 2)),
                        "header has a duplicate key", "__metadata__"),
                bad("duplicate metadata key", file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + A + "}",
                        f32(1, 2)), "header has a duplicate key", "'k'"),
                bad("overlapping offsets", file("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],"
                        + "\"data_offsets\":[4,12]}}", f32(1, 2, 3)),
                        "tensors 'a' [0, 8) and 'b' [4, 12) overlap"),
                bad("zero-size tensor inside another", file("{" + A + ",\"z\":{\"dtype\":\"F32\",\"shape\":[0],"
                        + "\"data_offsets\":[4,4]}}", f32(1, 2)), "tensors 'a' [0, 8) and 'z' [4, 4) overlap"),
                bad("offsets past the data", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                        + "\"data_offsets\":[8,16]}}", f32(1, 2)),
                        "tensor 'a': data_offsets [8,16] run past the end of the data (8 bytes"),
                bad("hole between tensors", file("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[12,16]}}", f32(1, 2, 0, 4)),
                        "data bytes [8, 12) belong to no tensor (a hole before 'b')"),
                bad("hole at the start", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],"
                        + "\"data_offsets\":[4,8]}}", f32(0, 1)), "data bytes [0, 4) belong to no tensor"),
                bad("bytes after the last tensor", file("{" + A + "}", f32(1, 2, 3)),
                        "data section has 4 bytes after the last tensor"),
                bad("data but no tensors", file("{}", f32(1)), "data section has 4 bytes after the last tensor"),
                bad("shape does not match the byte count", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],"
                        + "\"data_offsets\":[0,8]}}", f32(1, 2)),
                        "tensor 'a': F32 [3] needs 12 bytes but data_offsets [0,8] hold 8"),
                bad("dtype does not match the byte count", file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],"
                        + "\"data_offsets\":[0,8]}}", f32(1, 2)), "tensor 'a': F16 [2] needs 4 bytes"),
                bad("unknown dtype", file("{\"a\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                        new byte[4]), "tensor 'a': unknown dtype \"U16\""),
                bad("dtype not a string", file("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}",
                        new byte[4]), "tensor 'a': unknown dtype 4"),
                bad("missing dtype", file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2)),
                        "tensor 'a': missing dtype"),
                bad("missing shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", f32(1, 2)),
                        "tensor 'a': missing shape"),
                bad("negative dimension", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                        f32(1, 2)), "tensor 'a': shape [-2] is not a list of non-negative integers"),
                bad("fractional dimension", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],"
                        + "\"data_offsets\":[0,8]}}", f32(1, 2)), "is not a list of non-negative integers"),
                bad("shape overflowing 64 bits", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
                        + "\"data_offsets\":[0,8]}}", f32(1, 2)), "overflows a 64-bit byte count"),
                bad("byte count overflowing 64 bits", file("{\"a\":{\"dtype\":\"F64\","
                        + "\"shape\":[2305843009213693952],\"data_offsets\":[0,8]}}", f32(1, 2)),
                        "overflows a 64-bit byte count"),
                bad("one offset", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", f32(1, 2)),
                        "tensor 'a': data_offsets must be [begin, end]"),
                bad("descending offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                        f32(1, 2)), "tensor 'a': data_offsets [8,0] are not an ascending range"),
                bad("negative offset", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}",
                        f32(1, 2)), "must be two non-negative integers"),
                bad("offset beyond 64 bits", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                        + "\"data_offsets\":[0,99999999999999999999999]}}", f32(1, 2)),
                        "must be two non-negative integers"),
                bad("entry not an object", file("{\"a\":[1,2]}", new byte[0]),
                        "tensor 'a': header entry is not a JSON object"),
                bad("metadata not an object", file("{\"__metadata__\":\"x\"}", new byte[0]),
                        "__metadata__ is not a JSON object of strings"),
                bad("metadata value not a string", file("{\"__metadata__\":{\"steps\":500}}", new byte[0]),
                        "__metadata__ value of 'steps' is not a string"));
    }

    private static Arguments bad(String label, byte[] content, String... fragments) {
        return Arguments.of(label, content, fragments);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void damagedFileFailsNamingFileAndProblem(String label, byte[] content, String[] fragments) throws IOException {
        Path file = RawFiles.write(dir, "damaged.safetensors", content);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensorsFile.open(file).close());
        assertMessage(e, file.toString(), fragments);

        // the ranged-read path reports the same problems, naming the file by its URI
        NonLocalFileSystem fs = NonLocalFileSystem.create();
        org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(file.toString());
        e = assertThrows(SafeTensorsException.class, () -> SafeTensorsFile.open(fs, hp).close());
        assertMessage(e, "nonlocal:" + file, fragments);
    }

    private static void assertMessage(Exception e, String file, String[] fragments) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), () -> "message does not start with the file: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), () -> "message lacks '" + f + "': " + m);
        }
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path file = RawFiles.write(dir, "ok.safetensors", file("{" + A + "}", f32(1, 2)));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> f.floats("b"));
            assertEquals(file + ": no tensor named 'b'", e.getMessage());
        }
    }

    @Test
    void floatingTensorIsNotReadAsLongs() throws IOException {
        Path file = RawFiles.write(dir, "ok.safetensors", file("{" + A + "}", f32(1, 2)));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> f.longs("a"));
            assertEquals(file + ": tensor 'a' is F32, not an integer tensor", e.getMessage());
        }
    }

    @Test
    void readingAfterCloseNamesFileAndTensor() throws IOException {
        Path file = RawFiles.write(dir, "ok.safetensors", file("{" + A + "}", f32(1, 2)));
        SafeTensorsFile f = SafeTensorsFile.open(file);
        f.close();
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> f.floats("a"));
        assertEquals(file + ": file is closed (reading tensor 'a')", e.getMessage());
    }

    @Test
    void directoryIsRejected() {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensorsFile.open(dir));
        assertEquals(dir + ": is a directory, not a safetensors file", e.getMessage());
    }

    @Test
    void missingFileNamesTheFile() {
        Path file = dir.resolve("absent.safetensors");
        IOException e = assertThrows(IOException.class, () -> SafeTensorsFile.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void headerOfExactlyTheLimitIsNotRejectedForItsSize() throws IOException {
        // 100,000,000 bytes is allowed; the content (spaces after {}) is valid JSON
        byte[] header = new byte[(int) SafeTensorsFile.MAX_HEADER_BYTES];
        Arrays.fill(header, (byte) ' ');
        header[0] = '{';
        header[1] = '}';
        Path file = dir.resolve("big-header.safetensors");
        Files.write(file, concat(u64(header.length), header));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertTrue(f.names().isEmpty());
        }
    }
}
